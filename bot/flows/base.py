"""What a flow sees of a turn, what every flow provides, and how a flow keeps its typed state."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, Protocol, TypeVar

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from core.conversations import Conversation
from core.messages import Inbound, Reply

State = TypeVar("State")


@dataclass
class Turn:
    message: Inbound
    text: str
    conversation: Conversation
    session: Session
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    """Work that must wait until the turn is saved, such as telling another worker about a freed place."""


class Flow(Protocol):
    name: str

    def start(self, turn: Turn) -> list[Reply]:
        """Entered from a command, a menu click or a button."""

    def handle(self, turn: Turn) -> list[Reply] | None:
        """The worker's next message while the flow is active; None hands it back to normal routing."""


@cache
def _adapter(kind: type) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def dump(state: object) -> dict[str, Any]:
    """A flow's state dataclass as the JSON the conversation row stores (decimals as text, enums as values)."""
    return _adapter(type(state)).dump_python(state, mode="json")


def load(kind: type[State], data: dict[str, Any]) -> State:
    return _adapter(kind).validate_python(data)


def keep(turn: Turn, flow: str, step: StrEnum, state: object) -> None:
    """The flow's step and state, replaced whole: the conversation's JSON column changes only on reassignment."""
    turn.conversation.enter(flow, step, dump(state))


def state_of(turn: Turn, kind: type[State]) -> State:
    return load(kind, turn.conversation.data)
