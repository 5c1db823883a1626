"""Hit testing: a question answered as a worker would see it, with every passage it rests on and where
that passage ranked in each retrieval channel — for admins checking what an edit does."""

from dataclasses import dataclass

from bot.answer import Answer, compose
from bot.assistant import format_answer
from index.search import Retriever


@dataclass(frozen=True)
class RankedPassage:
    kind: str
    id: str
    title: str
    score: float
    channels: dict[str, int | None]


@dataclass(frozen=True)
class HitTest:
    answer: Answer
    message: str
    coverage: float
    passages: list[RankedPassage]
    knowledge_version: int | None


def hit_test(retriever: Retriever, question: str) -> HitTest:
    result = retriever.search(question)
    answer = compose(result)
    ranks = retriever.channel_ranks(question, [hit.passage.id for hit in answer.passages])
    passages = [
        RankedPassage(hit.passage.kind, hit.passage.id, hit.passage.title, round(hit.score, 4), ranks[hit.passage.id])
        for hit in answer.passages
    ]
    return HitTest(answer, format_answer(answer), result.coverage, passages, retriever.manifest.knowledge_version)
