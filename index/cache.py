"""Tokens and embeddings of passage texts, kept by text hash in the data directory.

Segmenting and embedding are what a build spends its time on; a rebuild after one card changed
finds everything else here and works only on the changed texts. Keys include what produced the value
(the tokenizer's dictionaries and code, the embedding model), so a change there misses the cache
rather than serving stale tokens.
"""

import hashlib
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import jieba
import numpy as np

from index import text as text_module
from index import tokenizer as tokenizer_module
from index.tokenizer import Tokenizer

SEPARATOR = "\x1f"
BATCH = 500
Tick = Callable[[int], None]


def tokenizer_signature(tokenizer: Tokenizer) -> str:
    digest = hashlib.sha256(jieba.__version__.encode())
    for module in (tokenizer_module, text_module):
        digest.update(inspect.getsource(module).encode())
    if tokenizer.user_dict.is_file():
        digest.update(tokenizer.user_dict.read_bytes())
    digest.update("\n".join(sorted(tokenizer.stopwords)).encode())
    return digest.hexdigest()[:16]


class PassageCache:
    """A small SQLite file: safe for several processes sharing the directory, written as a build goes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, tokens TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def tokens(self, texts: list[str], tokenizer: Tokenizer, tick: Tick = lambda done: None) -> list[list[str]]:
        """Tokens of each text; only texts not seen before are segmented (tick counts them)."""
        signature = tokenizer_signature(tokenizer)
        keys = [_key(signature, text) for text in texts]
        found = {key: value.split(SEPARATOR) if value else [] for key, value in self._get("tokens", keys)}
        new: dict[str, list[str]] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in new:
                new[key] = tokenizer.tokens(text)
                tick(len(new))
        self._put("tokens", [(key, SEPARATOR.join(tokens)) for key, tokens in new.items()])
        return [found[key] if key in found else new[key] for key in keys]

    def vectors(
        self, texts: list[str], model: str, encode: Callable[[list[str]], np.ndarray], dimension: int
    ) -> np.ndarray:
        """Embeddings of each text; only texts not seen before are encoded, in one batch."""
        keys = [_key(model, text) for text in texts]
        found = {key: np.frombuffer(value, dtype=np.float32) for key, value in self._get("vectors", keys)}
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        if missing:
            text_of = dict(zip(keys, texts))
            encoded = encode([text_of[key] for key in missing])
            self._put("vectors", [(key, vector.astype(np.float32).tobytes()) for key, vector in zip(missing, encoded)])
            found.update(zip(missing, encoded))
        if not keys:
            return np.zeros((0, dimension), dtype=np.float32)
        return np.ascontiguousarray(np.stack([found[key] for key in keys]), dtype=np.float32)

    def _get(self, table: str, keys: list[str]) -> Iterator[tuple[str, object]]:
        unique = list(dict.fromkeys(keys))
        with closing(self._connect()) as db:
            for start in range(0, len(unique), BATCH):
                chunk = unique[start : start + BATCH]
                marks = ",".join("?" * len(chunk))
                yield from db.execute(f"SELECT key, {_column(table)} FROM {table} WHERE key IN ({marks})", chunk)

    def _put(self, table: str, rows: list[tuple[str, object]]) -> None:
        if not rows:
            return
        with closing(self._connect()) as db, db:
            db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", rows)


def _column(table: str) -> str:
    return "tokens" if table == "tokens" else "vector"


def _key(namespace: str, text: str) -> str:
    return hashlib.sha256(f"{namespace}\x00{text}".encode()).hexdigest()[:32]
