"""Build an index version from one knowledge version in the database and publish it atomically.

Tokens and embeddings come from the data directory's cache where a passage's text is unchanged, so a
rebuild after an edit segments and embeds only what the edit touched; the BM25 matrices are rebuilt
whole, which takes well under a second.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from core.db import Database
from core.kb_seed import Sources
from core.knowledge_base import ConcurrentPublish, Content, Head, draft_content, ensure_seeded, head, version
from core.statute_versions import load_versions
from index.cache import PassageCache
from index.dense import DenseIndex, DenseUnavailable, Encoder
from index.lexical import KindIndex
from index.passages import Kind, Passage, write_passages
from index.sources import content_passages
from index.store import IndexStore, Manifest
from index.tokenizer import Tokenizer, char_bigrams

log = logging.getLogger(__name__)
PASSAGES = "passages.jsonl"
CACHE = "cache.sqlite3"
Report = Callable[[str, int], None]  # (step, percent)


@dataclass(frozen=True)
class Knowledge:
    """The passages of one knowledge version (number and uid None for the unpublished draft)."""

    number: int | None
    uid: str | None
    passages: list[Passage]


def published_knowledge(database: Database, sources: Sources = Sources(), number: int | None = None) -> Knowledge:
    """A published version (the newest by default); the first time, the knowledge base is set up from `sources`."""
    set_up(database, sources)
    with database.session() as session:
        newest = head(session)
        chosen = version(session, number if number is not None else newest.number)
        content = Content.from_json(chosen.content)
        statutes = load_versions(session, list(content.statutes.values()))
        return Knowledge(chosen.number, chosen.uid, content_passages(content, statutes))


def set_up(database: Database, sources: Sources) -> Head:
    """Version 1 from the files, unless the database has knowledge already (or another process just set it up)."""
    existing = published_head(database)
    if existing is not None:
        return existing
    try:
        with database.write_session() as session:
            return ensure_seeded(session, sources.items)
    except ConcurrentPublish:
        return published_head(database)


def draft_knowledge(database: Database) -> Knowledge:
    with database.session() as session:
        content = draft_content(session)
        statutes = load_versions(session, list(content.statutes.values()))
        return Knowledge(None, None, content_passages(content, statutes))


def published_head(database: Database) -> Head | None:
    with database.session() as session:
        return head(session)


def fingerprint(passages: list[Passage]) -> str:
    digest = hashlib.sha256()
    for passage in passages:
        digest.update(f"{passage.id}\x00{passage.search_text}\x00{passage.text}\x01".encode())
    return digest.hexdigest()[:10]


def build_index(
    database: Database,
    store: IndexStore,
    sources: Sources = Sources(),
    embedding_model: str = "",
    tokenizer: Tokenizer | None = None,
    progress: bool = False,
    encoder_factory: Callable[[str], Encoder] = Encoder,
) -> Manifest:
    """The newest published knowledge version, set up from `sources` if the database has none yet."""
    knowledge = published_knowledge(database, sources)
    with store.build_lock():
        return build_knowledge(knowledge, store, embedding_model, tokenizer, encoder_factory, progress=progress)


def build_knowledge(
    knowledge: Knowledge,
    store: IndexStore,
    embedding_model: str = "",
    tokenizer: Tokenizer | None = None,
    encoder_factory: Callable[[str], Encoder] = Encoder,
    report: Report = lambda step, percent: None,
    progress: bool = False,
    cache: PassageCache | None = None,
) -> Manifest:
    """Into `store`, with the cache kept beside it unless another is given."""
    passages = knowledge.passages
    tokenizer = tokenizer or Tokenizer()
    cache = cache or PassageCache(store.root / CACHE)
    staging = store.staging_dir()
    try:
        report("collect", 2)
        write_passages(passages, staging / PASSAGES)
        by_kind = {kind: [p for p in passages if p.kind == kind] for kind in Kind}
        tokens = _tokens(by_kind, cache, tokenizer, report, progress)
        report("index", 75)
        for kind, members in by_kind.items():
            if members:
                _lexical(kind, members, tokens).save(staging / "lexical" / kind)
        report("embed", 85)
        dense_model, dimension, note = _build_dense(by_kind, staging, embedding_model, encoder_factory, cache, progress)
        report("publish", 97)
        now = datetime.now(timezone.utc)
        manifest = Manifest(
            version=f"{now:%Y%m%dT%H%M%S%f}-{fingerprint(passages)}",
            created_at=now.isoformat(timespec="seconds"),
            counts={kind.value: len(members) for kind, members in by_kind.items()},
            dense_model=dense_model,
            dense_dimension=dimension,
            dense_note=note,
            knowledge_version=knowledge.number,
            knowledge_uid=knowledge.uid,
        )
        store.publish(staging, manifest)
    except BaseException:
        store.discard(staging)
        raise
    report("done", 100)
    log.info("index %s published (knowledge version %s): %s", manifest.version, knowledge.number, manifest.counts)
    return manifest


def _texts(members: list[Passage]) -> list[str]:
    """Every text a kind's index segments: passages, and the ways of asking that cards and policies list."""
    texts = [p.search_text for p in members]
    texts += [question for p in members for question in p.meta.get("questions") or ()]
    return texts


def _tokens(
    by_kind: dict[Kind, list[Passage]], cache: PassageCache, tokenizer: Tokenizer, report: Report, progress: bool
) -> dict[str, list[str]]:
    """Tokens of every text to index, by text; the share of new texts sets the progress from 5 to 75%."""
    texts = list(dict.fromkeys(text for members in by_kind.values() for text in _texts(members)))
    bar = tqdm(total=len(texts), desc="tokenising", disable=not progress, unit="text")
    last = [time.monotonic()]

    def tick(done: int) -> None:
        bar.update(1)
        if time.monotonic() - last[0] > 0.5:
            last[0] = time.monotonic()
            report("tokenise", 5 + 70 * done // max(len(texts), 1))

    report("tokenise", 5)
    tokens = dict(zip(texts, cache.tokens(texts, tokenizer, tick)))
    bar.update(len(texts) - bar.n)
    bar.close()
    return tokens


def _lexical(kind: Kind, members: list[Passage], tokens: dict[str, list[str]]) -> KindIndex:
    words = [tokens[p.search_text] for p in members]
    bigrams = [char_bigrams(p.search_text) for p in members]
    if not all(p.meta.get("questions") for p in members):
        return KindIndex.build(words, bigrams)
    questions = [[tokens[q] for q in p.meta["questions"]] for p in members]
    return KindIndex.build(words, bigrams, questions)


def _build_dense(
    by_kind: dict[Kind, list[Passage]],
    staging: Path,
    model_name: str,
    encoder_factory: Callable[[str], Encoder],
    cache: PassageCache,
    progress: bool,
) -> tuple[str | None, int | None, str | None]:
    encoder = encoder_factory(model_name)
    try:
        encoder.load()
    except DenseUnavailable as error:
        log.warning("dense channel off, index is lexical-only: %s", error)
        return None, None, str(error)
    (staging / "dense").mkdir()
    dimension = encoder.dimension
    for kind, members in by_kind.items():
        if members:
            vectors = cache.vectors(
                [p.search_text for p in members],
                model_name,
                lambda texts: encoder.encode(texts, progress=progress),
                dimension,
            )
            DenseIndex.build(vectors).save(staging / "dense" / f"{kind}.faiss")
    return model_name, dimension, None
