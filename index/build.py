"""Build a new index version from every knowledge source and publish it atomically."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from core.db import Database
from core.settings import Settings
from index.dense import DenseIndex, DenseUnavailable, Encoder
from index.lexical import KindIndex
from index.passages import Kind, Passage, write_passages
from index.sources import article_passages, card_passage, policy_passage, station_passage
from index.store import IndexStore, Manifest
from index.tokenizer import Tokenizer, char_bigrams
from knowledge.cards import load_cards
from knowledge.policies import load_policies
from knowledge.stations import load_stations

log = logging.getLogger(__name__)
PASSAGES = "passages.jsonl"


@dataclass(frozen=True)
class Sources:
    """Where the knowledge comes from; each defaults to the bundled samples."""

    cards_dir: Path | None = None
    policies_dir: Path | None = None
    stations_file: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sources":
        return cls(settings.cards_dir, settings.policies_dir, settings.stations_file)


def collect_passages(database: Database, sources: Sources) -> list[Passage]:
    with database.session() as session:
        passages = article_passages(session)
    passages += [card_passage(card) for card in load_cards(sources.cards_dir)]
    passages += [policy_passage(section) for section in load_policies(sources.policies_dir)]
    passages += [station_passage(station) for station in load_stations(sources.stations_file)]
    return passages


def fingerprint(passages: list[Passage]) -> str:
    digest = hashlib.sha256()
    for passage in passages:
        digest.update(f"{passage.id}\x00{passage.search_text}\x00{passage.text}\x01".encode())
    return digest.hexdigest()[:10]


def build_index(
    database: Database,
    store: IndexStore,
    sources: Sources,
    embedding_model: str = "",
    tokenizer: Tokenizer | None = None,
    progress: bool = False,
    encoder_factory: Callable[[str], Encoder] = Encoder,
) -> Manifest:
    passages = collect_passages(database, sources)
    tokenizer = tokenizer or Tokenizer()
    staging = store.staging_dir()
    try:
        write_passages(passages, staging / PASSAGES)
        by_kind = {kind: [p for p in passages if p.kind == kind] for kind in Kind}
        for kind, members in by_kind.items():
            if members:
                _lexical(kind, members, tokenizer, progress).save(staging / "lexical" / kind)
        dense_model, dimension, note = _build_dense(by_kind, staging, embedding_model, encoder_factory, progress)
        now = datetime.now(timezone.utc)
        manifest = Manifest(
            version=f"{now:%Y%m%dT%H%M%S%f}-{fingerprint(passages)}",
            created_at=now.isoformat(timespec="seconds"),
            counts={kind.value: len(members) for kind, members in by_kind.items()},
            dense_model=dense_model,
            dense_dimension=dimension,
            dense_note=note,
        )
        store.publish(staging, manifest)
    except BaseException:
        store.discard(staging)
        raise
    log.info("index %s published: %s", manifest.version, manifest.counts)
    return manifest


def _lexical(kind: Kind, members: list[Passage], tokenizer: Tokenizer, progress: bool) -> KindIndex:
    texts = tqdm(members, desc=f"tokenising ({kind})", disable=not progress, unit="passage")
    words = [tokenizer.tokens(p.search_text) for p in texts]
    bigrams = [char_bigrams(p.search_text) for p in members]
    if not all(p.meta.get("questions") for p in members):
        return KindIndex.build(words, bigrams)
    questions = [[tokenizer.tokens(q) for q in p.meta["questions"]] for p in members]
    return KindIndex.build(words, bigrams, questions)


def _build_dense(
    by_kind: dict[Kind, list[Passage]],
    staging: Path,
    model_name: str,
    encoder_factory: Callable[[str], Encoder],
    progress: bool,
) -> tuple[str | None, int | None, str | None]:
    encoder = encoder_factory(model_name)
    try:
        encoder.load()
    except DenseUnavailable as error:
        log.warning("dense channel off, index is lexical-only: %s", error)
        return None, None, str(error)
    (staging / "dense").mkdir()
    for kind, members in by_kind.items():
        if members:
            vectors = encoder.encode([p.search_text for p in members], progress=progress)
            DenseIndex.build(vectors).save(staging / "dense" / f"{kind}.faiss")
    return model_name, encoder.dimension, None
