"""Multi-turn conversation state, one row per channel user; survives restarts, forgets idle flows."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import aware, utcnow
from core.db import Base


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None]
    outbound_since_inbound: Mapped[int] = mapped_column(default=0, server_default="0")
    handoff_ticket_id: Mapped[int | None]
    handoff_at: Mapped[datetime | None]

    def enter(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        self.flow, self.step, self.data = flow, step, dict(data or {})

    def advance(self, step: str, **data: Any) -> None:
        """JSON columns change only on reassignment, so data is replaced, never mutated in place."""
        self.step = step
        self.data = {**self.data, **data}

    def leave(self) -> None:
        self.flow, self.step, self.data = None, None, {}

    def remember(self, **values: Any) -> None:
        self.context = {**self.context, **values}


def load_conversation(session: Session, channel: str, user_id: str, idle: timedelta) -> Conversation:
    """The user's conversation, locked for this turn; a flow left idle too long is dropped."""
    conversation = session.scalar(
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id == user_id)
        .with_for_update()
    )
    if conversation is None:
        conversation = Conversation(channel=channel, user_id=user_id, data={}, context={})
        session.add(conversation)
        session.flush()
    elif utcnow() - aware(conversation.updated_at) > idle:
        conversation.leave()
        conversation.context = {}
    conversation.updated_at = utcnow()
    return conversation


def find_conversation(session: Session, channel: str, user_id: str) -> Conversation | None:
    return session.scalar(select(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id))
