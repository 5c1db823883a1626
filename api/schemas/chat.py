"""The web chat's JSON (`/api/chat`): what the page posts, as the engine's `Inbound`, and replies back."""

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, StrictFloat, Tag

from bot.channels.web import web_link
from bot.engine import MENU_KEYS
from core.messages import Channel, Inbound, InboundKind, Reply
from core.transcript import Author
from core.webchat import WebMessage

MAX_TEXT = 1000
VISIBLE = r"\S"  # text is stripped, so the schema asks for more than whitespace, as the check does


class _Kind(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TextIn(_Kind):
    """Typed or clicked text."""

    text: str = Field(min_length=1, max_length=MAX_TEXT, pattern=VISIBLE)

    def inbound(self, user_id: str) -> Inbound:
        return Inbound.text_message(Channel.WEB, user_id, self.text)


class LocationIn(_Kind):
    """A shared location."""

    latitude: StrictFloat = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: StrictFloat = Field(ge=-180, le=180, allow_inf_nan=False)

    def inbound(self, user_id: str) -> Inbound:
        return Inbound(Channel.WEB, user_id, InboundKind.LOCATION, latitude=self.latitude, longitude=self.longitude)


MenuKey = StrEnum("MenuKey", {key: key for key in MENU_KEYS})


class MenuIn(_Kind):
    """A menu item."""

    menu: MenuKey

    def inbound(self, user_id: str) -> Inbound:
        return Inbound(Channel.WEB, user_id, InboundKind.MENU, menu_key=self.menu.value)


KIND_FIELDS = {"text": "text", "latitude": "location", "longitude": "location", "menu": "menu"}


def _kind(body: Any) -> str | None:
    """Which of the three a JSON object is, by its first known field (the model then refuses any other);
    None, and so a 422, for anything else."""
    if not isinstance(body, dict):
        return None
    return next((tag for field, tag in KIND_FIELDS.items() if field in body), None)


class ChatIn(RootModel):
    """One thing the worker did on the page: exactly one of text, a location (latitude and longitude) or a
    menu key, and nothing else."""

    root: Annotated[
        Annotated[TextIn, Tag("text")] | Annotated[LocationIn, Tag("location")] | Annotated[MenuIn, Tag("menu")],
        Discriminator(_kind, custom_error_type="chat_kind",
                      custom_error_message="send exactly one of: text, latitude and longitude, menu"),
    ]

    def inbound(self, user_id: str) -> Inbound:
        return self.root.inbound(user_id)

    @classmethod
    def inline_schema(cls) -> dict[str, Any]:
        """The JSON schema with its definitions in place, for an OpenAPI document that does not hold them."""
        schema = cls.model_json_schema()
        definitions = schema.pop("$defs", {})

        def inlined(node: Any) -> Any:
            if isinstance(node, dict):
                if "$ref" in node:
                    return inlined(definitions[node["$ref"].rsplit("/", 1)[-1]])
                return {key: inlined(value) for key, value in node.items()}
            if isinstance(node, list):
                return [inlined(value) for value in node]
            return node

        return inlined(schema)


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
