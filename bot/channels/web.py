"""The web chat's messages: what the chat page posts, translated to `Inbound`, and replies back as JSON.

The page has real buttons and links, so replies pass through whole: a clicked button sends its payload
back as text. Messages that are not replies (a mediator's answer, a reminder) wait in the outbox
(`core.webchat`) until the page polls for them.
"""

import re
import secrets
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.exc import SQLAlchemyError

from bot.engine import MENU_KEYS
from bot.messages import Button, Channel, Inbound, InboundKind, Reply
from bot.outbound import DeliveryError
from core import webchat
from core.db import Database
from core.transcript import Author
from core.webchat import WebMessage

MAX_TEXT = 1000
SESSION_BYTES = 24
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32}")
WEB_LINK = re.compile(r"(https?://|/(?![/\\]))[^\s\\]*", re.IGNORECASE)


class ChatIn(BaseModel):
    """One thing the worker did on the page: typed or clicked text, a shared location, or a menu item."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str | None = Field(None, min_length=1, max_length=MAX_TEXT)
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    menu: str | None = Field(None, description="A menu key: " + ", ".join(MENU_KEYS))

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        located = (self.latitude, self.longitude) != (None, None)
        if located and None in (self.latitude, self.longitude):
            raise ValueError("a location needs both latitude and longitude")
        if sum((self.text is not None, located, self.menu is not None)) != 1:
            raise ValueError("send exactly one of: text, latitude and longitude, menu")
        if self.menu is not None and self.menu not in MENU_KEYS:
            raise ValueError(f"unknown menu key; known: {', '.join(MENU_KEYS)}")
        return self


class ButtonOut(BaseModel):
    label: str
    payload: str


class ReplyOut(BaseModel):
    text: str
    buttons: list[ButtonOut] = Field(default_factory=list)
    link: str | None = None
    link_label: str | None = None


class ChatOut(BaseModel):
    replies: list[ReplyOut]
    last_id: int = Field(description="Newest outbox message of this session: poll the updates when it grows")


class UpdateOut(ReplyOut):
    id: int
    author: Author = Field(Author.BOT, description="`bot`, or `mediator` for a mediator's words")


class UpdatesOut(BaseModel):
    messages: list[UpdateOut]
    last_id: int = Field(description="Pass as `after` in the next poll")


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_BYTES)


def valid_session_id(value: str | None) -> str | None:
    """Only ids of the shape we issue; anything else starts a new session."""
    return value if value and SESSION_ID.fullmatch(value) else None


def to_inbound(user_id: str, message: ChatIn) -> Inbound:
    if message.text is not None:
        return Inbound.text_message(Channel.WEB, user_id, message.text)
    if message.menu is not None:
        return Inbound(Channel.WEB, user_id, InboundKind.MENU, menu_key=message.menu)
    latitude, longitude = message.latitude, message.longitude
    return Inbound(Channel.WEB, user_id, InboundKind.LOCATION, latitude=latitude, longitude=longitude)


def web_link(link: str | None) -> str | None:
    """Only http(s) or same-site addresses become links on the page (no javascript: or data: URLs)."""
    return link if link and WEB_LINK.fullmatch(link) else None


def reply_out(reply: Reply) -> ReplyOut:
    link = web_link(reply.link)
    return ReplyOut(
        text=reply.text,
        buttons=[ButtonOut(label=b.label, payload=b.payload) for b in reply.buttons],
        link=link,
        link_label=reply.link_label if link else None,
    )


def update_out(message: WebMessage) -> UpdateOut:
    buttons = [ButtonOut(label=label, payload=payload) for label, payload in message.buttons or []]
    return UpdateOut(id=message.id, text=message.text, buttons=buttons, link=web_link(message.link),
                     author=Author(message.author))


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

