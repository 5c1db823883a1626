"""Settings: validated in one class, every one documented in .env.example."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert {name.upper() for name in Settings.model_fields} - listed == set()


def test_defaults_give_an_embedded_sqlite_database(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'assistant.sqlite3'}"
    assert settings.embedding_model == "" and settings.index_dir == tmp_path / "index"


def test_environment_overrides_and_validation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    monkeypatch.setenv("HOLIDAYS", '["2026-10-01"]')
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.effective_database_url.startswith("postgresql") and str(settings.holidays[0]) == "2026-10-01"
    monkeypatch.setenv("WECHAT_REPLY_SECONDS", "9")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
