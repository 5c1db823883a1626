"""What the knowledge base is missing: questions answered unsure, or answered and marked 没用, grouped by
how alike they read, with counts and this week against last; an admin marks a group handled once a card
covers it.

Similarity is character-bigram Jaccard against the group's first question: workers' phrasings of one
problem share most character pairs, and it needs no model and takes milliseconds for thousands of
questions.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.audit import audit_change
from core.clock import aware, utcnow
from core.consultations import Consultation
from core.db import Base
from core.feedback import Feedback

SIMILAR = 0.4
WINDOW = timedelta(days=90)
WEEK = timedelta(days=7)
EXAMPLES = 5
MOST_QUESTIONS = 5000
NOT_WORD = re.compile(r"[\W_]+")


class HandledGap(Base):
    """A question an admin has dealt with; it no longer counts as a gap."""

    __tablename__ = "handled_gaps"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by: Mapped[str] = mapped_column(String(100))


class NoSuchGap(LookupError):
    pass


@dataclass
class Gap:
    id: int  # the consultation id of the group's first question: stable while the group is open
    question: str
    examples: list[str] = field(default_factory=list)
    members: list[int] = field(default_factory=list, repr=False)
    unanswered: int = 0
    tentative: int = 0
    unhelpful: int = 0
    this_week: int = 0
    last_week: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.members)


def bigrams(text: str) -> frozenset[str]:
    chars = NOT_WORD.sub("", text.lower())
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1)) or frozenset([chars])


def gaps(session: Session, now: datetime | None = None) -> list[Gap]:
    """Open groups, the largest first."""
    now = now or utcnow()
    groups: list[Gap] = []
    leaders: list[frozenset[str]] = []
    by_bigram: dict[str, list[int]] = defaultdict(list)
    for row in _open_questions(session, now - WINDOW):
        grams = bigrams(row.question)
        candidates = {index for gram in grams for index in by_bigram.get(gram, ())}
        best, score = None, SIMILAR
        for index in candidates:
            similarity = len(grams & leaders[index]) / len(grams | leaders[index])
            if similarity >= score:
                best, score = index, similarity
        if best is None:
            best = len(groups)
            groups.append(Gap(id=row.id, question=row.question))
            leaders.append(grams)
            for gram in grams:
                by_bigram[gram].append(best)
        _add(groups[best], row, now)
    for group in groups:
        group.examples = list(dict.fromkeys(reversed(group.examples)))[:EXAMPLES]
    return sorted(groups, key=lambda group: (-group.count, -group.id))


def _open_questions(session: Session, since: datetime):
    query = (
        select(Consultation.id, Consultation.question, Consultation.card_id, Consultation.confident,
               Consultation.created_at, Feedback.helpful)
        .outerjoin(Feedback, Feedback.consultation_id == Consultation.id)
        .outerjoin(HandledGap, HandledGap.consultation_id == Consultation.id)
        .where(HandledGap.consultation_id.is_(None), Consultation.created_at >= since)
        .where(or_(Consultation.confident.is_(False), Feedback.helpful.is_(False)))
        .order_by(Consultation.id.desc())
        .limit(MOST_QUESTIONS)
    )
    return reversed(session.execute(query).all())


def _add(group: Gap, row, now: datetime) -> None:
    created = aware(row.created_at)
    group.members.append(row.id)
    group.examples.append(row.question)
    if row.helpful is False:
        group.unhelpful += 1
    elif row.card_id is None:
        group.unanswered += 1
    else:
        group.tentative += 1
    if created >= now - WEEK:
        group.this_week += 1
    elif created >= now - 2 * WEEK:
        group.last_week += 1
    group.first_seen = group.first_seen or created
    group.last_seen = created


def mark_handled(session: Session, actor: str, gap_id: int, now: datetime | None = None) -> Gap:
    group = next((group for group in gaps(session, now) if group.id == gap_id), None)
    if group is None:
        raise NoSuchGap(gap_id)
    for consultation_id in group.members:
        session.add(HandledGap(consultation_id=consultation_id, handled_by=actor))
    audit_change(session, actor, "kb.gap.handled", f"gap:{gap_id}", {"question": group.question,
                 "count": group.count}, None)
    return group
