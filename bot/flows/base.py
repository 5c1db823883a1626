"""What a flow sees of a turn, and what every flow provides."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from core.conversations import Conversation
from core.messages import Inbound, Reply


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
