"""Every sentence a worker reads comes from a template here, so wording is edited in one place."""

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"


def shorten(text: str, limit: int) -> str:
    """Cut at a sentence end where possible, so a quote reads as a whole thought."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(mark) for mark in "。；;")
    return (cut[: end + 1] if end >= limit // 2 else cut.rstrip("，、,")) + "……"


def yuan(amount: Decimal) -> str:
    """Money as a worker reads it: 8,000 for whole yuan, 12,000.50 otherwise."""
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        auto_reload=False,  # templates ship with the code; checking their mtimes on every render costs time
    )
    env.filters["shorten"] = shorten
    env.filters["yuan"] = yuan
    return env


def render(template: str, /, **context: object) -> str:
    return environment().get_template(template).render(**context).strip()
