"""Workers' word on an answer — it helped or it did not — one per consultation, the latest word kept.

Counted per card and per article the card cites; answers that did not help feed the gaps (core.gaps).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.consultations import Consultation
from core.db import Base
from core.kb_items import ItemKind
from core.knowledge_base import published_content

# A worker's 有用 / 没用 belongs to an answer they have just read, not to one from days ago.
FEEDBACK_WINDOW = timedelta(hours=24)


class Feedback(Base):
    __tablename__ = "feedback"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def give_feedback(session: Session, consultation_id: int, helpful: bool) -> Feedback:
    feedback = session.get(Feedback, consultation_id)
    if feedback is None:
        feedback = Feedback(consultation_id=consultation_id, helpful=helpful)
        session.add(feedback)
    else:
        feedback.helpful, feedback.created_at = helpful, utcnow()
    session.flush()
    return feedback


def feedback_on_last_answer(
    session: Session, channel: str, user_id: str, helpful: bool, now: datetime | None = None
) -> Feedback | None:
    """What the conversation calls when a worker says 有用 / 没用 (a reply or a button): it applies to
    their latest answer, if they had one within FEEDBACK_WINDOW; None when there is nothing to rate."""
    since = (now or utcnow()) - FEEDBACK_WINDOW
    query = select(Consultation.id).where(
        Consultation.channel == channel, Consultation.user_id == user_id, Consultation.created_at >= since
    )
    latest = session.scalar(query.order_by(Consultation.id.desc()).limit(1))
    return give_feedback(session, latest, helpful) if latest is not None else None


def answered_since(session: Session, channel: str, user_id: str, since: datetime) -> bool:
    """Whether the worker got an answer worth rating since `since`: one resting on a card or given with
    confidence. An answer that could only say it does not know is a gap already; 有用 / 没用 adds nothing."""
    query = select(Consultation.id).where(
        Consultation.channel == channel,
        Consultation.user_id == user_id,
        Consultation.created_at >= since,
        or_(Consultation.confident.is_(True), Consultation.card_id.is_not(None)),
    )
    return session.scalar(query.limit(1)) is not None


@dataclass(frozen=True)
class Tally:
    helpful: int = 0
    unhelpful: int = 0


@dataclass(frozen=True)
class CardFeedback:
    card_id: str
    title: str | None  # None: the card is no longer published
    tally: Tally


@dataclass(frozen=True)
class ArticleFeedback:
    law: str
    article: int
    tally: Tally


@dataclass(frozen=True)
class FeedbackSummary:
    cards: list[CardFeedback]
    articles: list[ArticleFeedback]
    uncertain: Tally  # answers that rested on no card


def feedback_summary(session: Session, since: datetime | None = None) -> FeedbackSummary:
    """Counts per card, and per article through the citations of the published cards; most unhelpful first."""
    query = select(Consultation.card_id, Feedback.helpful).join(Feedback)
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    helpful: Counter[str | None] = Counter()
    unhelpful: Counter[str | None] = Counter()
    for card_id, was_helpful in session.execute(query):
        (helpful if was_helpful else unhelpful)[card_id] += 1
    content = published_content(session)
    cards = content.items[ItemKind.CARD] if content else {}
    per_card = [
        CardFeedback(card_id, cards[card_id]["title"] if card_id in cards else None,
                     Tally(helpful[card_id], unhelpful[card_id]))
        for card_id in sorted({*helpful, *unhelpful} - {None})
    ]
    article_helpful: Counter[tuple[str, int]] = Counter()
    article_unhelpful: Counter[tuple[str, int]] = Counter()
    for entry in per_card:
        for law, number in cards.get(entry.card_id, {}).get("citations", []):
            article_helpful[(law, number)] += entry.tally.helpful
            article_unhelpful[(law, number)] += entry.tally.unhelpful
    per_article = [
        ArticleFeedback(law, number, Tally(article_helpful[(law, number)], article_unhelpful[(law, number)]))
        for law, number in {*article_helpful, *article_unhelpful}
    ]
    return FeedbackSummary(
        cards=sorted(per_card, key=_worst_first),
        articles=sorted(per_article, key=_worst_first),
        uncertain=Tally(helpful[None], unhelpful[None]),
    )


def _worst_first(entry: CardFeedback | ArticleFeedback) -> tuple[int, int, str]:
    label = entry.card_id if isinstance(entry, CardFeedback) else f"{entry.law}:{entry.article:05d}"
    return -entry.tally.unhelpful, -entry.tally.helpful, label
