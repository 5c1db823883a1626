"""Who looked at personal data or changed accounts or the knowledge base, and when.

Changes to the knowledge base also keep what the item was before and after, so an admin can see exactly
what a colleague changed and put it back.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base


LOGIN = "login"
LOGIN_FAILED = "login.failed"
EXPORT_COLUMNS = ("id", "time", "actor", "action", "subject", "detail", "before", "after")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    subject: Mapped[str | None] = mapped_column(String(200), index=True)
    before: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    after: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)


def audit(session: Session, actor: str, action: str, detail: str = "") -> None:
    session.add(AuditEntry(actor=actor, action=action, detail=detail))


def audit_change(session: Session, actor: str, action: str, subject: str, before: Any, after: Any) -> None:
    """A change with its subject (`card:overdue-pay`, `user:wang`) and the state before and after."""
    session.add(AuditEntry(actor=actor, action=action, subject=subject, before=before, after=after))


def recent(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None  # a prefix: `kb.` is every knowledge-base change, `kb.card.` every card change
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def find_entries(session: Session, where: AuditFilter, limit: int = 500) -> list[AuditEntry]:
    """Newest first."""
    query = select(AuditEntry)
    if where.actor:
        query = query.where(AuditEntry.actor == where.actor)
    if where.action:
        query = query.where(AuditEntry.action.startswith(where.action, autoescape=True))
    if where.subject:
        query = query.where(AuditEntry.subject == where.subject)
    if where.since:
        query = query.where(AuditEntry.created_at >= where.since)
    if where.until:
        query = query.where(AuditEntry.created_at < where.until)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def export_rows(entries: list[AuditEntry]) -> list[tuple[object, ...]]:
    """One row per entry in EXPORT_COLUMNS order; before and after as JSON text."""
    return [
        (
            entry.id,
            entry.created_at.isoformat(timespec="seconds"),
            entry.actor,
            entry.action,
            entry.subject or "",
            entry.detail,
            _json(entry.before),
            _json(entry.after),
        )
        for entry in entries
    ]


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
