"""The bundled guidance cards: well-formed, broad, and citing articles that exist."""

import re
from collections import Counter
from pathlib import Path

import pytest

from knowledge.cards import Card, CardError, Topic, load_card, load_cards
from knowledge.statutes import parse_statute


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return load_cards()


@pytest.fixture(scope="module")
def corpus_articles(laws_dir: Path) -> dict[tuple[str, int], str]:
    articles: dict[tuple[str, int], str] = {}
    for path in sorted(laws_dir.glob("*(*).md")):
        statute = parse_statute(path)
        for article in statute.articles:
            articles[(statute.short_title, article.number)] = "".join(article.paragraphs)
    return articles


def test_bundle_is_large_and_covers_every_topic(cards: list[Card]) -> None:
    assert len(cards) >= 80
    per_topic = Counter(card.topic for card in cards)
    assert set(per_topic) == set(Topic), f"topics without cards: {set(Topic) - set(per_topic)}"


def test_every_card_offers_several_phrasings(cards: list[Card]) -> None:
    for card in cards:
        assert len(set(card.questions)) == len(card.questions), card.id
        assert len(card.questions) >= 4, card.id


def test_questions_are_not_shared_between_cards(cards: list[Card]) -> None:
    owners = Counter(question for card in cards for question in card.questions)
    assert [q for q, n in owners.items() if n > 1] == []


def test_every_citation_exists_in_the_official_corpus(
    cards: list[Card], corpus_articles: dict[tuple[str, int], str]
) -> None:
    missing = [(card.id, c.law, c.article) for card in cards for c in card.citations if c.key not in corpus_articles]
    assert missing == []


def test_answers_are_written_in_own_words(cards: list[Card], corpus_articles: dict[tuple[str, int], str]) -> None:
    """No run of 20 characters in an answer is copied from the statute it cites."""
    for card in cards:
        for citation in card.citations:
            statute = re.sub(r"\s", "", corpus_articles.get(citation.key, ""))
            answer = re.sub(r"\s", "", card.answer)
            copied = [answer[i : i + 20] for i in range(len(answer) - 19) if answer[i : i + 20] in statute]
            assert copied == [], f"{card.id} copies {citation.law} 第{citation.article}条: {copied[0]}"


def test_phrasings_are_written_in_own_words(cards: list[Card], corpus_articles: dict[tuple[str, int], str]) -> None:
    """A way of asking may use legal terms, but no run of 16 characters is lifted from any statute."""
    statutes = "\n".join(re.sub(r"\s", "", text) for text in corpus_articles.values())
    for card in cards:
        for question in card.questions:
            asked = re.sub(r"\s", "", question)
            copied = [asked[i : i + 16] for i in range(len(asked) - 15) if asked[i : i + 16] in statutes]
            assert copied == [], f"{card.id} copies statute text in a phrasing: {copied[0]}"


def test_broken_card_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: Bad Id\ntitle: x\n", encoding="utf-8")
    with pytest.raises(CardError, match="broken.yaml"):
        load_card(path)


def test_citations_are_written_as_pairs(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(
        "id: sample\ntitle: 示例卡片\ntopic: wages\nquestions: [一, 二, 三]\n"
        "answer: |\n  第一行说明，\n  第二行说明，足够长的一段解释文字。\ncitations:\n  - [劳动法, 50]\n",
        encoding="utf-8",
    )
    card = load_card(path)
    assert card.citations[0].key == ("劳动法", 50)
    assert card.answer == "第一行说明，第二行说明，足够长的一段解释文字。"
