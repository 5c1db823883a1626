"""Composing answers: from the best card with quoted articles, or honestly unsure."""

from dataclasses import replace

import pytest

from bot.assistant import format_answer
from bot.answer import Basis, compose
from index.search import Retriever, SearchResult
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


def test_low_confidence_says_so_offers_a_person_and_shows_only_strong_articles(retriever: Retriever) -> None:
    """With no card or policy section to rest on, an article is shown only when its own text matches strongly."""
    loose = replace(retriever.search("调解员受理以后多少天内要组织协商"), cards=[], policies=[])
    assert loose.articles and not any(hit.strong for hit in loose.articles[:2])
    answer = compose(loose)
    assert not answer.confident and answer.card_id is None and answer.basis is Basis.NONE
    assert answer.citations == () and "暂时回答不了" in answer.summary
    assert answer.action is Action.MEDIATION
    strong = replace(retriever.search("调解员应当在受理后十五日内组织双方协商"), cards=[], policies=[])
    assert strong.articles[0].strong
    answer = compose(strong)
    assert "不太有把握" in answer.summary
    assert [c.label for c in answer.citations] == ["《示例劳动争议调解办法》第二条"]


def test_union_service_question_is_answered_from_the_policy_section(retriever: Retriever) -> None:
    answer = compose(retriever.search("会员服务卡丢了补办要钱吗"))
    assert answer.basis is Basis.POLICY and answer.confident and answer.card_id is None
    assert answer.sections[0].label == "《入会须知》·会员服务卡"
    assert answer.summary.startswith("卡片遗失的，可到服务中心登记补办，补办不收费。"), "the sentence that answers first"
    assert answer.steps and "补办" in answer.steps[0]
    assert answer.action is Action.STATIONS
    text = format_answer(answer)
    assert "【依据】\n《入会须知》·会员服务卡：“会员入会后可以申领会员服务卡" in text


def test_a_policy_section_beats_a_card_only_when_nearly_as_confident(retriever: Retriever) -> None:
    result = retriever.search("工资一直拖着不发")
    card = result.cards[0]
    assert result.coverage < 0.9, "not one of the card's own phrasings"
    section = retriever.search("会员服务卡丢了补办要钱吗").policies[0]

    def with_section(confidence: float, on: SearchResult = result) -> Basis:
        return compose(replace(on, policies=[replace(section, confidence=confidence)])).basis

    assert with_section(card.confidence - 0.05) is Basis.POLICY
    assert with_section(card.confidence - 0.2) is Basis.CARD
    assert with_section(0.1) is Basis.CARD, "a weak section never answers"
    exact = retriever.search("单位拖着不发工资怎么办")
    assert exact.coverage >= 0.9
    assert with_section(exact.cards[0].confidence + 0.1, exact) is Basis.CARD, "one of the card's own phrasings"


def test_a_two_part_question_is_answered_from_two_cards(retriever: Retriever) -> None:
    answer = compose(retriever.search("单位拖着不发工资怎么办？另外年假有几天"))
    assert answer.card_id == "overdue-pay" and [part.title for part in answer.parts] == ["每年有几天带薪假"]
    assert [c.label for c in answer.citations][-1] == "《示例职工权益条例》第四条"
    text = format_answer(answer)
    assert "另外，关于“每年有几天带薪假”：按示例条例，连续工作满一年的职工每年有带薪休假" in text


def test_off_topic_is_declined_without_citations_or_mediation(retriever: Retriever) -> None:
    answer = compose(retriever.search("火星上的天气如何"))
    assert not answer.confident and answer.citations == () and answer.action is None
    assert "暂时回答不了" in answer.summary


def test_partial_match_is_offered_tentatively(retriever: Retriever) -> None:
    answer = compose(retriever.search("我们工厂今年效益不好，带薪休假还给不给"))
    assert not answer.confident and answer.card_id == "annual-leave"
    assert answer.summary.startswith("按示例条例，连续工作满一年的职工"), "the bottom line comes first"
    assert "我理解你问的可能是“每年有几天带薪假”" in answer.summary
