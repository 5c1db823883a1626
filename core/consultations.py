"""Every question the assistant answered, so admins see what workers ask and what it could not answer."""

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base
from core.logs import mask


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    question: Mapped[str] = mapped_column(Text)
    card_id: Mapped[str | None] = mapped_column(String(100))
    confident: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_consultation(
    session: Session, channel: str, user_id: str, question: str, card_id: str | None, confident: bool
) -> Consultation:
    """Phone and ID numbers in the question are masked before it is stored."""
    consultation = Consultation(
        channel=channel, user_id=user_id, question=mask(question)[:2000], card_id=card_id, confident=confident
    )
    session.add(consultation)
    return consultation


def unanswered(session: Session, limit: int = 100) -> list[Consultation]:
    query = select(Consultation).where(Consultation.confident.is_(False)).order_by(Consultation.id.desc())
    return list(session.scalars(query.limit(limit)))
