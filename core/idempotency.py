"""Platforms retry deliveries; each inbound message is handled once and its replies are remembered.

The claim is an INSERT on a unique key, so it holds across processes and app workers on the same
database: exactly one claimer wins, the others see the winner's replies (or that it is still working).
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, Database

KEEP = timedelta(days=2)


class ClaimState(StrEnum):
    PROCESSING = "processing"
    ANSWERED = "answered"
    DELIVERED_LATER = "delivered_later"


class InboundMessage(Base):
    __tablename__ = "inbound_messages"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    replies: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# Every message is claimed and its outcome recorded, each one statement. Built once at the table level,
# they skip the ORM's unit of work and statement construction, which cost more than SQLite's own work.
MESSAGES = InboundMessage.__table__
CLAIM = insert(MESSAGES)
FINISH = update(MESSAGES).where(MESSAGES.c.key == bindparam("message_key"))
FINISH_UNLESS_SETTLED = FINISH.where(MESSAGES.c.status == ClaimState.PROCESSING)


def claim(database: Database, key: str) -> bool:
    """True for the first claimer of the key; False for every retry."""
    try:
        with database.session() as session:
            session.execute(CLAIM, {"key": key, "status": ClaimState.PROCESSING, "replies": None})
    except IntegrityError:
        return False
    return True


def finish(
    database: Database,
    key: str,
    status: ClaimState,
    replies: list[Any] | None = None,
    *,
    unless_settled: bool = False,
) -> bool:
    """Record the outcome in one UPDATE (no read first, so nothing can commit in between on SQLite).

    `unless_settled` leaves an outcome already recorded in place; True when the row was updated.
    """
    query = FINISH_UNLESS_SETTLED if unless_settled else FINISH
    with database.session() as session:
        result = session.execute(query, {"message_key": key, "status": status, "replies": replies})
        return bool(result.rowcount)


def lookup(database: Database, key: str) -> InboundMessage | None:
    with database.session() as session:
        return session.get(InboundMessage, key)


def forget_old(database: Database, now: datetime | None = None, keep: timedelta = KEEP) -> int:
    """Retries stop within minutes; older rows only take space (and their replies may name the worker)."""
    cutoff = (now or utcnow()) - keep
    with database.session() as session:
        return session.execute(delete(InboundMessage).where(InboundMessage.created_at < cutoff)).rowcount or 0

