"""What was said in chat, both ways, so a mediator reads the worker's conversation before replying.

Phone and ID numbers are masked on the way in: the ticket holds the contact details it needs.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base
from core.logs import mask


class Author(StrEnum):
    WORKER = "worker"
    BOT = "bot"
    MEDIATOR = "mediator"


class ChatLine(Base):
    __tablename__ = "chat_lines"
    __table_args__ = (Index("ix_chat_lines_channel_user_id", "channel", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    author: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_line(session: Session, channel: str, user_id: str, author: Author, text: str) -> None:
    if text.strip():
        session.add(ChatLine(channel=channel, user_id=user_id, author=author, text=mask(text)[:4000]))


def transcript(session: Session, channel: str, user_id: str, limit: int = 200) -> list[ChatLine]:
    """The most recent lines, oldest first."""
    query = (
        select(ChatLine)
        .where(ChatLine.channel == channel, ChatLine.user_id == user_id)
        .order_by(ChatLine.id.desc())
        .limit(limit)
    )
    return list(reversed(list(session.scalars(query))))
