"""The web chat channel: visitors' session ids, the links the page may show, and the sender.

The page has real buttons and links, so replies pass through whole (their JSON is `api.schemas.chat`):
a clicked button sends its payload back as text. Messages that are not replies (a mediator's answer, a
reminder) wait in the outbox (`core.webchat`) until the page polls for them.
"""

import re
import secrets

from sqlalchemy.exc import SQLAlchemyError

from core import webchat
from core.db import Database
from core.messages import Button, Channel, Reply
from core.outbound import DeliveryError

SESSION_BYTES = 24
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32}")
WEB_LINK = re.compile(r"(https?://|/(?![/\\]))[^\s\\]*", re.IGNORECASE)


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_BYTES)


def valid_session_id(value: str | None) -> str | None:
    """Only ids of the shape we issue; anything else starts a new session."""
    return value if value and SESSION_ID.fullmatch(value) else None


def web_link(link: str | None) -> str | None:
    """Only http(s) or same-site addresses become links on the page (no javascript: or data: URLs)."""
    return link if link and WEB_LINK.fullmatch(link) else None


def _stored_buttons(buttons: tuple[Button, ...]) -> list[list[str]]:
    """[label, payload] pairs, as the engine keeps a conversation's last buttons."""
    return [[b.label, b.payload] for b in buttons]


class WebSender:
    """The `Sender` for web chat: the message waits in the outbox until the worker's page polls."""

    channel = Channel.WEB

    def __init__(self, database: Database) -> None:
        self.database = database

    def send(self, user_id: str, reply: Reply) -> None:
        if not valid_session_id(user_id):
            raise DeliveryError("not a web chat session")
        try:
            buttons = _stored_buttons(reply.buttons)
            webchat.post(self.database, user_id, reply.text, buttons, web_link(reply.link), reply.author)
        except SQLAlchemyError as error:
            raise DeliveryError(f"web chat outbox unavailable: {type(error).__name__}") from None

