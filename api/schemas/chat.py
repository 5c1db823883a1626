"""The web chat's JSON (`/api/chat`): what the page posts, as the engine's `Inbound`, and replies back."""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, model_validator

from bot.channels.web import web_link
from bot.engine import MENU_KEYS
from core.messages import Channel, Inbound, InboundKind, Reply
from core.transcript import Author
from core.webchat import WebMessage

MAX_TEXT = 1000


class ChatIn(BaseModel):
    """One thing the worker did on the page: typed or clicked text, a shared location, or a menu item."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str | None = Field(None, min_length=1, max_length=MAX_TEXT)
    latitude: StrictFloat | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: StrictFloat | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
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

    def inbound(self, user_id: str) -> Inbound:
        if self.text is not None:
            return Inbound.text_message(Channel.WEB, user_id, self.text)
        if self.menu is not None:
            return Inbound(Channel.WEB, user_id, InboundKind.MENU, menu_key=self.menu)
        return Inbound(Channel.WEB, user_id, InboundKind.LOCATION, latitude=self.latitude, longitude=self.longitude)


class ButtonOut(BaseModel):
    label: str
    payload: str


class ReplyOut(BaseModel):
    """The page has real buttons and links, so a reply passes through whole (unsafe links left out)."""

    text: str
    buttons: list[ButtonOut] = Field(default_factory=list)
    link: str | None = None
    link_label: str | None = None

    @classmethod
    def of(cls, reply: Reply) -> Self:
        link = web_link(reply.link)
        return cls(
            text=reply.text,
            buttons=[ButtonOut(label=b.label, payload=b.payload) for b in reply.buttons],
            link=link,
            link_label=reply.link_label if link else None,
        )


class ChatOut(BaseModel):
    replies: list[ReplyOut]
    last_id: int = Field(description="Newest outbox message of this session: poll the updates when it grows")


class UpdateOut(ReplyOut):
    """A message from the outbox: a mediator's answer, a reminder."""

    id: int
    author: Author = Field(Author.BOT, description="`bot`, or `mediator` for a mediator's words")

    @classmethod
    def of_message(cls, message: WebMessage) -> Self:
        buttons = [ButtonOut(label=label, payload=payload) for label, payload in message.buttons or []]
        link = web_link(message.link)
        return cls(id=message.id, text=message.text, buttons=buttons, link=link, author=Author(message.author))


class UpdatesOut(BaseModel):
    messages: list[UpdateOut]
    last_id: int = Field(description="Pass as `after` in the next poll")
