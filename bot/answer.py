"""The assistant's answer to a legal or service question, independent of any channel, and how it is
composed from retrieval results: a card or a policy section (or honestly neither), the sources it rests on,
the next step.

Every citation comes either from a card (whose citations are checked against the statute corpus in tests),
from a policy section, or from an article in the index; nothing here makes up an article number.
Questions about where the nearest station is never reach this: the engine sends them to the station finder.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from core.wording import render
from index.passages import Kind, Passage, article_id, citation_label
from index.search import Hit, SearchResult
from knowledge.cards import Action
from knowledge.station_requests import bundled_station_words


class Basis(StrEnum):
    """What an answer rests on."""

    CARD = "card"
    POLICY = "policy"
    NONE = "none"


@dataclass(frozen=True)
class CitedArticle:
    law: str
    number: int
    label: str
    quote: str | None

    @property
    def passage_id(self) -> str:
        return article_id(self.law, self.number)

    def as_dict(self) -> dict[str, object]:
        return {"law": self.law, "article": self.number, "label": self.label, "quote": self.quote}


@dataclass(frozen=True)
class CitedSection:
    """A policy section an answer rests on, named and quoted like an article (《入会须知》·会员服务卡)."""

    passage_id: str
    label: str
    quote: str


@dataclass(frozen=True)
class Part:
    """The answer to another ask of the same question, from its own card."""

    title: str
    text: str


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
    basis: Basis = Basis.NONE
    sections: tuple[CitedSection, ...] = ()
    conditions: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    calculator: bool = False
    """The compensation calculator fits the question: offered as a next step."""

    @property
    def quoted(self) -> tuple[CitedSection | CitedArticle, ...]:
        """Every source in the order shown and numbered for 原文N: the policy section first, then articles."""
        return (*self.sections, *self.citations)

    @property
    def policy_id(self) -> str | None:
        return self.sections[0].passage_id.removeprefix("policy:") if self.sections else None


CONFIDENT_COVERAGE = 0.3
TENTATIVE_COVERAGE = 0.15
RELATED_ARTICLES = 2
POLICY_CONFIDENT = 0.3
POLICY_TENTATIVE = 0.2
POLICY_MARGIN = 0.1
EXACT_COVERAGE = 0.9
UNION_POLICY_MARGIN = 0.25
UNION_TOPIC = "union"
UNION_WORD = "工会"
OTHER_PARTS = 1
CALCULATOR_ARTICLES = frozenset({("劳动合同法", 40), ("劳动合同法", 46), ("劳动合同法", 47), ("劳动合同法", 82), ("劳动合同法", 87)})
"""A card resting on these is about what the compensation calculator computes."""
SENTENCE = re.compile(r"(?<=[。！？!?])")
CHINESE_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")


def compose(result: SearchResult) -> Answer:
    """From a card that covers a labour question, or from a policy section that covers a question about the
    union's services, whichever is the more confident (a policy a little less confident still wins, being
    the federation's own concrete service); tentative from a partial match; else unsure.

    Card thresholds were set on held-out sets of worker questions and off-topic messages (bench/questions.jsonl,
    bench/offtopic.txt): off-topic messages are almost never answered as known. Card and policy are compared by
    Hit.confidence, the one measure of coverage across kinds; policy thresholds were set on the same sets and
    bench/service_questions.jsonl.
    """
    card = _usable_card(result)
    policy = _usable_policy(result)
    if policy is not None and (card is None or policy.confidence >= _strength(result, card) - _margin(result, card)):
        return _from_policy(result, policy)
    if card is not None:
        return _from_card(result, card.passage, confident=result.coverage >= CONFIDENT_COVERAGE)
    return _uncertain(result)


def _usable_card(result: SearchResult) -> Hit | None:
    if not result.cards or not result.in_domain or result.coverage < TENTATIVE_COVERAGE:
        return None
    return result.cards[0]


def _usable_policy(result: SearchResult) -> Hit | None:
    """The best policy section, when it covers enough of the question. Outside labour-law vocabulary a section
    must also be named: the question shares a word with its heading or its policy's title, or names a kind of
    station (驿站), so that a short message about the weather is not answered with opening hours."""
    if not result.policies:
        return None
    best = result.policies[0]
    if best.confidence < POLICY_TENTATIVE:
        return None
    if result.in_domain:
        return best
    named = _pairs(f"{best.passage.meta['policy_title']}{best.passage.meta['heading']}")
    if best.confidence >= POLICY_CONFIDENT and (named & _pairs(result.question) or _names_station(result.question)):
        return best
    return None


def _pairs(text: str) -> set[str]:
    """Every two adjacent Chinese characters: the shortest Chinese word."""
    return {text[i : i + 2] for i in range(len(text) - 1) if CHINESE_PAIR.fullmatch(text[i : i + 2])}


def _names_station(question: str) -> bool:
    kinds = bundled_station_words().kinds.values()
    return any(phrase in question for phrases in kinds for phrase in phrases)


def _strength(result: SearchResult, card: Hit) -> float:
    """The card's confidence; a card carrying every word the worker used (one of its own phrasings) is an exact
    match, however many implied statutory terms it lacks."""
    return max(card.confidence, result.coverage) if result.coverage >= EXACT_COVERAGE else card.confidence


def _margin(result: SearchResult, card: Hit) -> float:
    """A question that names the union, or a card about the union as an organisation (its law), gives way more
    readily to the union's own rules: the worker is asking what the union does."""
    about_union = card.passage.meta.get("topic") == UNION_TOPIC or UNION_WORD in result.question
    return UNION_POLICY_MARGIN if about_union else POLICY_MARGIN


def _from_card(result: SearchResult, card: Passage, confident: bool) -> Answer:
    citations = [_cite(result, law, number) for law, number in card.meta["citations"]]
    parts: list[Part] = []
    if confident:
        for other in result.other_asks[:OTHER_PARTS]:
            parts.append(Part(other.passage.title, lead_first(result, other.passage.text, other.passage.title)))
            citations += [_cite(result, law, number) for law, number in other.passage.meta["citations"]]
    text = lead_first(result, card.text, card.title)
    action = Action(card.meta["action"]) if card.meta.get("action") else None
    summary = text if confident else render("tentative.j2", title=card.title, text=text)
    cited = _unique(citations)
    return Answer(
        question=result.question,
        summary=summary,
        citations=cited,
        action=action,
        confident=confident,
        card_id=card.meta["card_id"],
        title=card.title,
        topic=card.meta.get("topic"),
        passages=_top_passages(result),
        basis=Basis.CARD,
        parts=tuple(parts),
        calculator=any((c.law, c.number) in CALCULATOR_ARTICLES for c in cited),
    )


def _from_policy(result: SearchResult, hit: Hit) -> Answer:
    """The section's prose, the sentence that answers the question first; its conditions and steps; the next
    step it names (apply at a centre, join, events)."""
    section = hit.passage
    meta = section.meta
    confident = hit.confidence >= POLICY_CONFIDENT
    text = lead_first(result, section.text, section.title)
    summary = text if confident else render("tentative.j2", title=meta["heading"], text=text)
    return Answer(
        question=result.question,
        summary=summary,
        citations=(),
        action=Action(meta["action"]) if meta.get("action") else None,
        confident=confident,
        title=meta["heading"],
        topic=UNION_TOPIC,
        passages=_top_passages(result),
        basis=Basis.POLICY,
        sections=(CitedSection(section.id, section.title, section.text),),
        conditions=tuple(meta.get("conditions", ())),
        steps=tuple(meta.get("steps", ())),
    )


def _uncertain(result: SearchResult) -> Answer:
    """Say so honestly, show only articles whose own text matches the question strongly (none rather than
    loosely related ones), and offer a person."""
    related = tuple(_quote(hit.passage) for hit in result.articles[:RELATED_ARTICLES] if hit.strong) if result.in_domain else ()
    return Answer(
        question=result.question,
        summary=render("uncertain.j2", has_articles=bool(related)),
        citations=related,
        action=Action.MEDIATION if result.in_domain else None,
        confident=False,
        passages=_top_passages(result),
    )


def lead_first(result: SearchResult, text: str, title: str) -> str:
    """The text with the sentence that best covers the question first, so the first sentence answers it; the
    author's order is kept unless a later sentence covers strictly more of the question's words. Words of the
    title say what the whole text is about, not which sentence answers, and do not count."""
    sentences = [s for s in SENTENCE.split(text.strip()) if s.strip()]
    if len(sentences) < 2:
        return text.strip()
    words = {token: float(len(token)) for token in result.expansions if len(token) >= 2 and token not in title}
    words |= {token: 2.0 * len(token) for token in result.tokens if len(token) >= 2 and token not in title}

    def covered(sentence: str) -> float:
        return sum(weight for token, weight in words.items() if token in sentence)

    best = max(range(len(sentences)), key=lambda i: (covered(sentences[i]), -i))
    if best == 0 or covered(sentences[best]) <= covered(sentences[0]):
        return text.strip()
    ordered = [sentences[best], *sentences[:best], *sentences[best + 1 :]]
    return "".join(s.strip() if s.startswith("\n") else s for s in ordered).strip()


def _unique(citations: list[CitedArticle]) -> tuple[CitedArticle, ...]:
    seen: set[str] = set()
    kept = []
    for citation in citations:
        if citation.label not in seen:
            seen.add(citation.label)
            kept.append(citation)
    return tuple(kept)


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
