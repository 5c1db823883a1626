"""The console kit: the one way every console route renders a page, tells the next page what a post did,
redirects, shows times and labels, answers for something that does not exist, and keeps a posted return
address on the console.

- `render` shows a page (with the flash message waiting for it); `fragment` a part a page fetches again.
- `redirect` ends every successful post (post/redirect/get); its `text` travels to the next page in a
  short-lived cookie and is shown there once, above the page's content (console/base.html).
- Times are stored in UTC (naive from SQLite) and shown in the federation's local time (`settings.timezone`):
  `local_time` in Python (exports) and the same function as the `local_time` filter in templates, which
  are registered here, once, with the other formats.
- `raise NotFound(...)` anywhere in a console route: the handler `install`ed on the app answers with the
  console's 404 page, which says what is missing and links back.
"""

import base64
import binascii
import json
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request, status
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context

from api.deps import SettingsDep, get_database, get_settings
from api.security import Console, current_login
from api.templates import page, templates
from core.clock import aware, utcnow
from core.tickets import Category, Outcome, Status

FLASH = "console_flash"
FLASH_SECONDS = 120
HOME = "/console"
CHANNELS = {"wechat": "微信", "telegram": "Telegram", "web": "网页"}


class Level(StrEnum):
    """How a flash message looks: done (green), worth a second look (yellow), not done (red)."""

    DONE = "done"
    WARN = "warn"
    ERROR = "error"


class NotFound(LookupError):
    """What the address names does not exist; `back` and `back_label` say where to go instead."""

    def __init__(self, message: str, back: str = HOME, back_label: str = "回到工单队列") -> None:
        super().__init__(message)
        self.message, self.back, self.back_label = message, back, back_label


# ---- pages, flash and redirects ----


def _encoded(text: str, level: Level) -> str:
    """Base64 of JSON: a cookie value, and Chinese text at a third of its percent-encoded size."""
    value = json.dumps({"text": text, "level": level}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(value).decode()


def _flash(request: Request) -> dict[str, str] | None:
    try:
        found = json.loads(base64.urlsafe_b64decode(request.cookies[FLASH]))
        return {"text": str(found["text"]), "level": Level(found["level"])}
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None


def render(request: Request, name: str, context: Console, status_code: int = 200, **values: Any) -> Response:
    """A console page with the flash message, if one is waiting (it is then cleared)."""
    flash = _flash(request) if FLASH in request.cookies else None
    response = page(request, name, status_code, user=context.user, csrf_token=context.csrf_token, flash=flash,
                    **values)
    if FLASH in request.cookies:
        response.delete_cookie(FLASH, path=HOME)
    return response


def fragment(request: Request, name: str, context: Console, **values: Any) -> Response:
    """A part of a page that the page fetches again: always fresh, and it leaves the flash to the page."""
    response = page(request, name, user=context.user, csrf_token=context.csrf_token, **values)
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(url: str, text: str | None = None, level: Level = Level.DONE) -> RedirectResponse:
    """The end of a post; `text` is shown once on the page it leads to."""
    response = RedirectResponse(url, status.HTTP_303_SEE_OTHER)
    if text:
        value = _encoded(text, level)
        response.set_cookie(FLASH, value, max_age=FLASH_SECONDS, httponly=True, samesite="strict", path=HOME)
    return response


def back_to(url: str, fallback: str = HOME) -> str:
    """Only console paths: a posted return address must not become an open redirect."""
    return url if url == HOME or url.startswith((f"{HOME}/", f"{HOME}?")) else fallback


def not_found_page(request: Request, error: NotFound) -> Response:
    """The console's 404 page, with the console's navigation for whoever is logged in."""
    login = current_login(request, get_database(request))
    values = {"message": error.message, "back": error.back, "back_label": error.back_label}
    if login is None:
        return page(request, "console/not_found.html", status.HTTP_404_NOT_FOUND, user=None, **values)
    return render(request, "console/not_found.html", Console(login.user, login.csrf_token),
                  status.HTTP_404_NOT_FOUND, **values)


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotFound, not_found_page)


# ---- times, money and labels ----


def local_zone(settings: SettingsDep) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


ZoneDep = Annotated[ZoneInfo, Depends(local_zone)]


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return f"{aware(moment).astimezone(zone):%Y-%m-%d %H:%M}" if moment else ""


@pass_context
def _local_time_filter(context: Context, moment: datetime | None) -> str:
    return local_time(moment, ZoneInfo(get_settings(context["request"]).timezone))


def waited(since: datetime, until: datetime | None = None) -> str:
    """How long a worker has waited, in the largest two units."""
    end = aware(until) if until else utcnow()
    minutes = max(0, int((end - aware(since)).total_seconds() // 60))
    days, hours = minutes // 1440, minutes % 1440 // 60
    if days:
        return f"{days}天{hours}小时"
    return f"{hours}小时{minutes % 60}分" if hours else f"{minutes}分钟"


def money(amount: Decimal | None) -> str:
    return f"{amount:,.2f}" if amount is not None else ""


def channel_name(name: str) -> str:
    return CHANNELS.get(name, name)


def category_label(value: str) -> str:
    return Category(value).label


def status_label(value: str) -> str:
    return Status(value).label


def outcome_label(value: str | None) -> str:
    return Outcome(value).label if value else ""


templates.env.filters.update(
    local_time=_local_time_filter,
    waited=waited,
    money=money,
    channel_name=channel_name,
    category_label=category_label,
    status_label=status_label,
    outcome_label=outcome_label,
)
