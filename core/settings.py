"""All configuration, validated in one place (environment variables or `.env`)."""

from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    data_dir: Path = Field(Path("data"), description="Index files and the embedded SQLite database")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in DATA_DIR")
    embedding_model: str = Field(
        "", description="sentence-transformers model (hub name or local path); empty disables dense retrieval"
    )
    cards_dir: Path | None = Field(None, description="Guidance cards; default is the bundled set")
    policies_dir: Path | None = Field(None, description="Union policies; default is the bundled samples")
    stations_file: Path | None = Field(None, description="Service stations; default is the bundled samples")
    log_level: str = "INFO"
    public_base_url: str = Field("", description="Public address of this app, for links in WeChat and Telegram")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies (addresses or networks) whose X-Forwarded-For and -Proto are believed",
    )

    wechat_token: str = Field("", description="Token set in the Official Account's server configuration")
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_aes_key: str = Field("", description="EncodingAESKey; when set, messages use safe mode (AES)")
    wechat_api_base_url: str = "https://api.weixin.qq.com/"
    wechat_reply_seconds: float = Field(4.0, gt=0, lt=5, description="Answer within WeChat's 5-second limit")
    wechat_max_body_bytes: int = 64 * 1024
    searched_chars: int = Field(
        2000, ge=100, description="Only the start of a longer message is searched; the whole text is still kept"
    )

    timezone: str = Field("Asia/Shanghai", description="Local time for working days, reports and reminders")
    first_response_working_days: int = Field(1, ge=0, description="Deadline for a mediator's first response")
    holidays: list[date] = Field(default_factory=list, description="Public holidays skipped by deadlines")
    working_day_ends: time = Field(time(17), description="First responses are due by this local time of day")
    mediator_idle_minutes: int = Field(60, gt=0, description="The bot takes the conversation back after this")

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_sender: str = "assistant@localhost"
    mediator_emails: list[str] = Field(default_factory=list, description="New-ticket notices go here")
    wecom_robot_url: str = Field("", description="WeCom group-robot webhook for new-ticket notices")
    wechat_notice_template_id: str = Field("", description="Template message asking a worker to get in touch")

    reminder_lead_hours: float = Field(24, gt=0, description="Remind registered workers this long before an event")
    reminder_interval_seconds: float = Field(60, gt=0, description="How often the reminder scheduler looks")

    transcript_retention_days: float = Field(
        365, gt=0, description="Chat transcripts and web-chat outbox messages are deleted after this (days)"
    )
    inbound_retention_hours: float = Field(
        48, ge=1, description="Inbound-message claims (and replies kept for retries) are deleted after this"
    )
    retention_interval_seconds: float = Field(3600, gt=0, description="How often old personal data is pruned")

    telegram_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: str = Field("", description="Checked against X-Telegram-Bot-Api-Secret-Token")
    conversation_idle_minutes: int = Field(30, gt=0, description="A flow left idle this long is dropped")

    average_monthly_wage: Decimal = Field(
        Decimal(9000),
        gt=0,
        description="Local average monthly wage of the year below (yuan): the compensation calculator's high-earner "
        "cap (3x, 12 years). The default is a placeholder the federation must confirm against the published figure",
    )
    average_monthly_wage_year: int = Field(2023, ge=2000, le=2100, description="The year that average is for")

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'assistant.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    return Settings()
