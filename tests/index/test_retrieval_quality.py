"""Retrieval quality on the whole official corpus: a guard against regressions, not a tuning loop."""

from pathlib import Path

import pytest

from bot.assistant import Assistant
from index.evaluate import evaluate, load_items
from knowledge.cards import load_cards

OWN_QUESTIONS = Path(__file__).resolve().parents[2] / "bench" / "questions.jsonl"


@pytest.fixture(scope="module")
def assistant(corpus_kb) -> Assistant:
    assistant = Assistant.from_settings(corpus_kb.settings)
    assistant.start()
    return assistant


def ranker(assistant: Assistant):
    def rank(question: str) -> list[tuple[str, int]]:
        return [(h.passage.meta["law"], h.passage.meta["number"]) for h in assistant.search(question, 10).articles]

    return rank


def test_dev_set_meets_the_targets(assistant: Assistant, dev_set: Path) -> None:
    summary = evaluate(ranker(assistant), load_items(dev_set)).summary()
    assert summary["recall@5"] >= 0.45 and summary["mrr@10"] >= 0.40, summary


def test_independent_questions_stay_well_answered(assistant: Assistant) -> None:
    summary = evaluate(ranker(assistant), load_items(OWN_QUESTIONS)).summary()
    assert summary["recall@5"] >= 0.75 and summary["mrr@10"] >= 0.70, summary


def test_every_card_is_found_by_its_own_title(assistant: Assistant) -> None:
    missed = [
        card.id
        for card in load_cards()
        if card.id not in [h.passage.meta["card_id"] for h in assistant.search(card.title, 3).cards]
    ]
    assert missed == []


def test_confident_answers_cite_only_real_articles(assistant: Assistant, corpus_kb) -> None:
    answer = assistant.ask("公司不给我交社保怎么办")
    assert answer.confident and answer.citations
    assert all(c.quote for c in answer.citations), "every card citation resolves to an imported article"


OFF_TOPIC = Path(__file__).resolve().parents[2] / "bench" / "offtopic.txt"


def test_off_topic_messages_get_an_honest_answer(assistant: Assistant) -> None:
    messages = [line.strip() for line in OFF_TOPIC.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    answered = [m for m in messages if assistant.ask(m).confident]
    assert len(answered) <= len(messages) * 0.1, answered


def test_confident_answers_are_mostly_right(assistant: Assistant) -> None:
    """On the independent set, a confident answer's citations include a gold article nearly always."""
    confident = [
        (answer, item)
        for item in load_items(OWN_QUESTIONS)
        if (answer := assistant.ask(item.question)).confident
    ]
    right = [a for a, item in confident if {(c.law, c.number) for c in a.citations} & item.gold]
    assert len(confident) >= 0.5 * 90 and len(right) >= 0.8 * len(confident)
