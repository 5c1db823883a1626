"""The assistant's answer to a legal or service question, independent of any channel."""

from dataclasses import dataclass, field

from index.search import Hit
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
