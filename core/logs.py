"""Logging set-up that masks personal data in every line written.

Masking happens where a line is finished, in the formatter: the message, its arguments, a traceback and
anything else the line holds are covered alike, and the record itself is left as it was (uvicorn's access
formatter, for one, reads the record's arguments). SQL parameters are kept out of log lines and error
messages by the database engine (`hide_parameters`).
"""

import copy
import logging
import re
from pkgutil import resolve_name
from typing import Any

PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# A WeChat openid: 28 URL-safe characters starting with "o" (WeChat's callbacks put it in the query string).
OPENID = re.compile(r"(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")
UVICORN_FORMATTERS = ("default", "access")


def mask_user_id(user_id: object) -> str:
    """The one form a chat user id (WeChat openid, Telegram id, web session) takes in a log: ***1234.

    The last four characters tell one worker's lines from another's without identifying the worker.
    """
    text = str(user_id)
    return f"***{text[-4:]}" if len(text) > 8 else "***"


def mask(text: str) -> str:
    """138****5678, 1101**********123X, a***@example.com, ***WXYZ for an openid."""
    text = OPENID.sub(lambda m: mask_user_id(m.group(0)), text)
    text = ID_CARD.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)
    text = PHONE.sub(r"\1****\2", text)
    return EMAIL.sub(r"\1***\2", text)


class MaskingFormatter(logging.Formatter):
    """Wraps another formatter and masks the line it makes."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return mask(self.inner.format(record))


def masked(inner: str = "logging.Formatter", **options: Any) -> MaskingFormatter:
    """A masking formatter for `logging.config.dictConfig` ("()": "core.logs.masked", "inner": class path)."""
    return MaskingFormatter(resolve_name(inner)(**options))


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with its formatters masked."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    for name in UVICORN_FORMATTERS:
        options = config["formatters"][name]
        config["formatters"][name] = {"()": "core.logs.masked", "inner": options.pop("()"), **options}
    return config


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library debug lines carry tokens in URLs (telegram) or flood the log; never below WARNING.
    for noisy in ("bm25s", "jieba", "httpx", "sentence_transformers", "urllib3", "filelock", "telegram"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
