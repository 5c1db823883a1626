"""Index versions: published atomically, old ones pruned, a failed build leaves the served one alone."""

from pathlib import Path

from index.store import KEEP_VERSIONS, IndexStore, Manifest, read_manifest


def publish(store: IndexStore, version: str) -> Path:
    staging = store.staging_dir()
    (staging / "payload").write_text(version, encoding="utf-8")
    return store.publish(staging, Manifest(version=version, created_at="now", counts={"article": 1}))


def test_no_index_until_first_publish(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    assert store.current_version() is None and store.current_dir() is None
    publish(store, "v1")
    assert store.current_version() == "v1"
    assert read_manifest(store.current_dir()).counts == {"article": 1}


def test_publishing_switches_and_prunes_old_versions(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    for number in range(1, KEEP_VERSIONS + 3):
        publish(store, f"v{number:02d}")
    assert store.current_version() == f"v{KEEP_VERSIONS + 2:02d}"
    assert len([p for p in store.versions.iterdir() if not p.name.startswith(".")]) == KEEP_VERSIONS


def test_discarded_build_leaves_current_untouched(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    publish(store, "v1")
    staging = store.staging_dir()
    store.discard(staging)
    assert not staging.exists() and store.current_version() == "v1"


def test_pointer_to_a_missing_version_counts_as_no_index(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    tmp_path.joinpath("CURRENT").write_text("gone", encoding="utf-8")
    assert store.current_version() is None
