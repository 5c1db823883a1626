"""Ranking over a small fixture knowledge base."""

import numpy as np
import pytest

from index.fusion import propagate, reciprocal_rank_fusion
from index.search import Retriever
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def retriever(fixture_kb) -> Retriever:
    return Retriever(fixture_kb.store.current_dir(), Tokenizer(), SynonymMap.load())


def test_best_card_and_its_articles_come_first(retriever: Retriever) -> None:
    result = retriever.search("老板压着工资不给，已经晚发一个多月了")
    assert result.cards[0].passage.meta["card_id"] == "overdue-pay"
    assert result.articles[0].passage.id == "article:示例职工权益条例:3"
    assert result.coverage > 0.5


def test_card_citing_an_article_not_imported_adds_nothing_invented(retriever: Retriever) -> None:
    result = retriever.search("单位拖着不发工资怎么办", k=50)
    ids = {hit.passage.id for hit in result.articles}
    assert "article:示例职工权益条例:99" not in ids


def test_unrelated_question_has_low_coverage(retriever: Retriever) -> None:
    result = retriever.search("明天天气怎么样")
    assert result.coverage < 0.3


def test_articles_found_directly_without_any_card(retriever: Retriever) -> None:
    result = retriever.search("调解不成可以申请仲裁吗")
    assert result.articles[0].passage.meta["law"] == "示例劳动争议调解办法"


def test_records_timing_and_channel(retriever: Retriever) -> None:
    result = retriever.search("年假怎么算")
    assert result.elapsed_ms > 0 and result.dense_used is False


def test_rrf_rewards_agreement_between_channels() -> None:
    lexical = np.array([3.0, 2.0, 0.0, 1.0])
    dense = np.array([0.1, 0.9, 0.5, 0.0])
    fused = reciprocal_rank_fusion([lexical, dense])
    assert int(np.argmax(fused)) == 1
    assert fused[2] > 0 and fused[3] > 0


def test_propagation_decays_along_citations() -> None:
    cards = np.array([0.9, 0.0])
    inherited = propagate(cards, [[0, 1], [1, 2]], size=4, top_cards=2, position_decay=0.5)
    assert inherited.tolist() == pytest.approx([0.9, 0.45, 0.0, 0.0])


def test_an_article_several_cards_rest_on_gains_over_one_card_alone() -> None:
    cards = np.array([0.9, 0.5])
    inherited = propagate(cards, [[0, 1], [1, 2]], size=4, top_cards=2, position_decay=0.5)
    # 1: the first card's second citation (0.45) and the second card's first (0.5) together.
    assert inherited.tolist() == pytest.approx([0.9, 1 - 0.55 * 0.5, 0.25, 0.0])
    assert inherited[1] > max(0.45, 0.5) and inherited.max() <= 1.0


def test_only_the_best_cards_pass_their_scores_on() -> None:
    cards = np.array([0.9, 0.5, 0.4])
    inherited = propagate(cards, [[0], [1], [2]], size=3, top_cards=2, position_decay=0.5)
    assert inherited.tolist() == pytest.approx([0.9, 0.5, 0.0])


def test_every_hit_has_a_confidence_on_one_scale(retriever: Retriever) -> None:
    result = retriever.search("老板压着工资不给，已经晚发一个多月了")
    hits = [*result.cards, *result.policies, *result.stations, *result.articles]
    assert hits and all(0.0 <= hit.confidence <= 1.0 for hit in hits)
    assert result.cards[0].confidence > 0.5


def test_a_policy_question_is_led_by_its_policy_section(retriever: Retriever) -> None:
    result = retriever.search("会员服务卡遗失了去哪补办，收不收费")
    assert result.leading.passage.id == "policy:membership#会员服务卡"
    assert result.leading.passage.meta["steps"] and result.leading.passage.title == "《入会须知》·会员服务卡"


def test_leading_is_the_most_confident_of_the_kinds(retriever: Retriever) -> None:
    result = retriever.search("年假怎么算")
    best = max((hits[0] for hits in (result.cards, result.policies, result.stations) if hits),
               key=lambda hit: hit.confidence)
    assert result.leading == best


def test_only_articles_whose_own_text_matches_are_strong(retriever: Retriever) -> None:
    assert not any(hit.strong for hit in retriever.search("明天天气怎么样").articles)
    strong = [hit for hit in retriever.search("工资应当每月按时足额发放吗").articles if hit.strong]
    assert all(hit.confidence >= retriever.tuning.strong_article for hit in strong)


def test_a_single_ask_has_no_other_asks(retriever: Retriever) -> None:
    assert retriever.search("单位拖着不发工资怎么办").other_asks == []


def test_a_separate_second_ask_gets_its_own_card(retriever: Retriever) -> None:
    result = retriever.search("单位拖着不发工资怎么办？另外一年能休几天带薪假")
    assert {result.cards[0].passage.meta["card_id"], *(h.passage.meta["card_id"] for h in result.other_asks)} == {
        "overdue-pay", "annual-leave"
    }
