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


def test_propagation_decays_along_citations_and_keeps_the_best() -> None:
    cards = np.array([0.9, 0.5])
    inherited = propagate(cards, [[0, 1], [1, 2]], size=4, top_cards=2, position_decay=0.5)
    assert inherited.tolist() == pytest.approx([0.9, 0.5, 0.25, 0.0])
