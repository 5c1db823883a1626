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


def top_card(assistant: Assistant, question: str) -> str:
    return assistant.search(question).cards[0].passage.meta["card_id"]


def test_the_more_specific_card_wins(assistant: Assistant) -> None:
    assert top_card(assistant, "试用期第二个月，公司说我能力不行把我辞了") == "probation-dismissal"
    assert top_card(assistant, "出了事故公司不给报工伤") == "injury-application-deadline"
    assert top_card(assistant, "老板无缘无故把我开了") == "unlawful-dismissal-2n"


def test_trade_union_law_topics_have_cards(assistant: Assistant) -> None:
    assert top_card(assistant, "不脱产的工会委员开会占了上班时间，扣不扣工资") == "union-activity-work-time"
    assert top_card(assistant, "车间出了重伤事故，工会有没有权参加调查") == "union-accident-investigation"


def test_a_two_part_question_gets_a_card_for_each_part(assistant: Assistant) -> None:
    result = assistant.search("公司不给交社保，另外加班费怎么算")
    cards = [result.cards[0], *result.other_asks]
    assert "overtime-pay-rates" in [hit.passage.meta["card_id"] for hit in cards]


def test_a_school_aid_question_shows_no_strong_article(assistant: Assistant) -> None:
    result = assistant.search("孩子考上大学了，工会的助学金怎么申请")
    assert not [hit for hit in result.articles if hit.strong]
    assert result.leading.passage.kind == "policy"


SERVICE_QUESTIONS = Path(__file__).resolve().parents[2] / "bench" / "service_questions.jsonl"


def test_service_questions_find_their_policy_section_and_stations(assistant: Assistant) -> None:
    from index.service_eval import evaluate_service, load_service_items
    from knowledge.places import Gazetteer, load_places, station_places
    from knowledge.station_requests import read_station_request
    from knowledge.stations import load_stations

    stations = load_stations()
    gazetteer = Gazetteer(load_places() + station_places(stations))
    report = evaluate_service(
        load_service_items(SERVICE_QUESTIONS), assistant.search, lambda q: read_station_request(q, gazetteer), stations
    )
    summary = report.summary()
    assert summary["policy"] >= 0.85 and summary["stations"] >= 0.95, summary


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
