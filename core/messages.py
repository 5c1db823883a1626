"""One message envelope for every channel, in and out.

Adapters translate a platform's messages into `Inbound` and render `Reply` back; nothing about
any platform appears in the engine. Rich parts (buttons, links) degrade gracefully: a channel
without buttons shows them as numbered lines, and the engine understands the numbers.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from core.transcript import Author


class Channel(StrEnum):
    WECHAT = "wechat"
    TELEGRAM = "telegram"
    WEB = "web"


class InboundKind(StrEnum):
    TEXT = "text"
    LOCATION = "location"
    MENU = "menu"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    MEDIA = "media"


@dataclass(frozen=True)
class Inbound:
    channel: Channel
    user_id: str
    kind: InboundKind
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    menu_key: str | None = None

    @classmethod
    def text_message(cls, channel: Channel, user_id: str, text: str) -> "Inbound":
        return cls(channel, user_id, InboundKind.TEXT, text=text)


@dataclass(frozen=True)
class Button:
    """`payload` is what the engine receives when the button is pressed: the same text a worker could type."""

    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default=())
    link: str | None = None  # a full address, or a path on this app (which only its own web chat can open)
    link_label: str | None = None
    author: Author = Author.BOT  # a mediator's words, relayed: the web chat shows them apart from the bot's

    @property
    def absolute_link(self) -> str | None:
        """The link when it is a full http(s) address: what a channel outside the app's pages can open."""
        return self.link if self.link and self.link.lower().startswith(("http://", "https://")) else None
