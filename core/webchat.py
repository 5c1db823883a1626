"""Messages for web-chat users that arrive outside a request (a mediator's reply, a reminder)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, Database
from core.transcript import Author


class WebMessage(Base):
    __tablename__ = "web_messages"
    __table_args__ = (Index("ix_web_messages_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    link: Mapped[str | None] = mapped_column(String(500))
    author: Mapped[str] = mapped_column(String(16), default=Author.BOT, server_default=Author.BOT.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def post(
    database: Database,
    user_id: str,
    text: str,
    buttons: list[Any] | None = None,
    link: str | None = None,
    author: Author = Author.BOT,
) -> int:
    with database.session() as session:
        message = WebMessage(user_id=user_id, text=text, buttons=buttons or [], link=link, author=author)
        session.add(message)
        session.flush()
        return message.id


def since(database: Database, user_id: str, after: int, limit: int = 50) -> list[WebMessage]:
    with database.session() as session:
        query = (
            select(WebMessage)
            .where(WebMessage.user_id == user_id, WebMessage.id > after)
            .order_by(WebMessage.id)
            .limit(limit)
        )
        return list(session.scalars(query))


def latest(database: Database, user_id: str) -> int:
    """The newest outbox message of a session (0 for none): the page polls at once when it has not seen it."""
    with database.session() as session:
        newest = session.scalar(select(func.max(WebMessage.id)).where(WebMessage.user_id == user_id))
    return newest or 0
