"""Composing answers: from the best card with quoted articles, or honestly unsure."""

import pytest

from bot.assistant import format_answer
from bot.answer import compose
from index.search import Retriever
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer
from knowledge.cards import Action


@pytest.fixture(scope="module")
def retriever(fixture_kb) -> Retriever:
    return Retriever(fixture_kb.store.current_dir(), Tokenizer(), SynonymMap.load())


def test_answer_from_card_quotes_imported_articles(retriever: Retriever) -> None:
    answer = compose(retriever.search("单位拖着不发工资怎么办"))
    assert answer.confident and answer.card_id == "overdue-pay"
    assert answer.action is Action.MEDIATION
    quoted, unquoted = answer.citations
    assert quoted.label == "《示例职工权益条例》第三条" and "按时足额发放工资" in quoted.quote
    assert unquoted.label == "《示例职工权益条例》第九十九条" and unquoted.quote is None


def test_formatted_answer_has_summary_quotes_and_next_step(retriever: Retriever) -> None:
    text = format_answer(compose(retriever.search("老板压着工资不给")))
    assert text.startswith("按示例条例，单位要每月按时发工资")
    assert "【法律依据】" in text and "《示例职工权益条例》第三条：“单位应当每月按时足额发放工资" in text
    assert "《示例职工权益条例》第九十九条\n" in text
    assert "回复“维权求助”" in text


def test_long_quotes_are_shortened(retriever: Retriever) -> None:
    text = format_answer(compose(retriever.search("老板压着工资不给")), quote_limit=12)
    assert "第三条：“单位应当每月按时足额发放……”" in text


def test_low_confidence_says_so_and_offers_a_person(retriever: Retriever) -> None:
    answer = compose(retriever.search("调解员多久组织协商"))
    assert not answer.confident and answer.card_id is None
    assert "不太有把握" in answer.summary
    assert answer.action is Action.MEDIATION
    assert answer.citations and answer.citations[0].law == "示例劳动争议调解办法"


def test_off_topic_is_declined_without_citations_or_mediation(retriever: Retriever) -> None:
    answer = compose(retriever.search("火星上的天气如何"))
    assert not answer.confident and answer.citations == () and answer.action is None
    assert "暂时回答不了" in answer.summary


def test_partial_match_is_offered_tentatively(retriever: Retriever) -> None:
    answer = compose(retriever.search("我们工厂今年效益不好，带薪休假还给不给"))
    assert not answer.confident and answer.card_id == "annual-leave"
    assert answer.summary.startswith("我理解你问的可能是“每年有几天带薪假”")
