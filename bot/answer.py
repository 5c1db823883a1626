"""The assistant's answer to a legal or service question, independent of any channel, and how it is
composed from retrieval results: the best card, the articles it rests on, the next step.

Every citation comes either from a card (whose citations are checked against the statute
corpus in tests) or from an article in the index; nothing here makes up an article number.
"""

from dataclasses import dataclass, field

from core.wording import render
from index.passages import Kind, Passage, article_id, citation_label
from index.search import Hit, SearchResult
from knowledge.cards import Action


@dataclass(frozen=True)
class CitedArticle:
    law: str
    number: int
    label: str
    quote: str | None

    def as_dict(self) -> dict[str, object]:
        return {"law": self.law, "article": self.number, "label": self.label, "quote": self.quote}


@dataclass(frozen=True)
class Answer:
    question: str
    summary: str
    citations: tuple[CitedArticle, ...]
    action: Action | None
    confident: bool
    card_id: str | None = None
    title: str | None = None
    topic: str | None = None
    passages: tuple[Hit, ...] = field(default=(), repr=False)


CONFIDENT_COVERAGE = 0.3
TENTATIVE_COVERAGE = 0.15
RELATED_ARTICLES = 2


def compose(result: SearchResult) -> Answer:
    """Confident from a card that covers a labour question well; tentative from a partial match; else unsure.

    Thresholds were set on held-out sets of worker questions and off-topic messages
    (bench/questions.jsonl, bench/offtopic.txt): off-topic messages are almost never answered as known.
    """
    best = result.cards[0] if result.cards else None
    if best is None or not result.in_domain:
        return _uncertain(result)
    if result.coverage >= CONFIDENT_COVERAGE:
        return _from_card(result, best.passage, confident=True)
    if result.coverage >= TENTATIVE_COVERAGE:
        return _from_card(result, best.passage, confident=False)
    return _uncertain(result)


def _from_card(result: SearchResult, card: Passage, confident: bool) -> Answer:
    citations = tuple(_cite(result, law, number) for law, number in card.meta["citations"])
    action = Action(card.meta["action"]) if card.meta.get("action") else None
    summary = card.text if confident else render("tentative.j2", title=card.title, text=card.text)
    return Answer(
        question=result.question,
        summary=summary,
        citations=citations,
        action=action,
        confident=confident,
        card_id=card.meta["card_id"],
        title=card.title,
        topic=card.meta.get("topic"),
        passages=_top_passages(result),
    )


def _uncertain(result: SearchResult) -> Answer:
    """Say so honestly, show the closest articles of a labour question, and offer a person."""
    related = tuple(_quote(hit.passage) for hit in result.articles[:RELATED_ARTICLES]) if result.in_domain else ()
    return Answer(
        question=result.question,
        summary=render("uncertain.j2", has_articles=bool(related)),
        citations=related,
        action=Action.MEDIATION if result.in_domain else None,
        confident=False,
        passages=_top_passages(result),
    )


def _cite(result: SearchResult, law: str, number: int) -> CitedArticle:
    passage = result.by_id.get(article_id(law, number))
    if passage is None:
        return CitedArticle(law, number, citation_label(law, number), None)
    return _quote(passage)


def _quote(passage: Passage) -> CitedArticle:
    meta = passage.meta
    return CitedArticle(meta["law"], meta["number"], citation_label(meta["law"], meta["number"], meta["sub"]), passage.text)


def _top_passages(result: SearchResult) -> tuple[Hit, ...]:
    hits = [*result.cards[:3], *result.articles[:5], *result.policies[:2], *result.stations[:2]]
    return tuple(sorted(hits, key=lambda hit: (hit.passage.kind != Kind.CARD, -hit.score)))
