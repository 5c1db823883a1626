"""Lexical evidence (bm25s): word BM25 over jieba tokens, character-bigram BM25, and for cards
BM25 over each of their example questions separately (FAQ-style: the closest phrasing wins)."""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from index.fusion import normalized

K1 = 1.2
B = 0.75


class LexicalIndex:
    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self.model = model
        self.size = size
        # bm25s keeps each term's precomputed scores as a column of a sparse matrix. Plain views of its
        # arrays (still backed by the memory map when loaded) let a query gather its terms' columns and sum
        # them in one bincount: without numpy's per-slice memmap overhead and the library's per-call setup,
        # a search takes a third of the time.
        self._data = np.asarray(model.scores["data"])
        self._indices = np.asarray(model.scores["indices"])
        self._indptr = np.asarray(model.scores["indptr"])

    @classmethod
    def build(cls, documents: list[list[str]]) -> "LexicalIndex":
        model = bm25s.BM25(k1=K1, b=B, method="lucene")
        model.index([tokens or ["∅"] for tokens in documents], show_progress=False)
        return cls(model, len(documents))

    def save(self, directory: Path) -> None:
        self.model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> "LexicalIndex":
        model = bm25s.BM25.load(str(directory), mmap=True, show_progress=False)
        return cls(model, size)

    def scores(self, weighted_tokens: dict[str, float]) -> np.ndarray:
        """BM25 with a weight per query term, so expansions count less than the worker's own words."""
        vocabulary = self.model.vocab_dict
        rows, scores = [], []
        for token, weight in weighted_tokens.items():
            token_id = vocabulary.get(token)
            if token_id is not None and weight > 0:
                start, end = self._indptr[token_id], self._indptr[token_id + 1]
                rows.append(self._indices[start:end])
                scores.append(weight * self._data[start:end])
        if not rows:
            return np.zeros(self.size, dtype=np.float32)
        total = np.bincount(np.concatenate(rows), np.concatenate(scores), minlength=self.size)
        return total.astype(np.float32)

    def presence(self, weights: dict[str, float]) -> np.ndarray:
        """For each document, the summed weight of the given tokens it contains (each token once)."""
        vocabulary = self.model.vocab_dict
        rows, values, lengths = [], [], []
        for token, weight in weights.items():
            token_id = vocabulary.get(token)
            if token_id is not None and weight > 0:
                start, end = self._indptr[token_id], self._indptr[token_id + 1]
                rows.append(self._indices[start:end])
                values.append(weight)
                lengths.append(end - start)
        if not rows:
            return np.zeros(self.size, dtype=np.float32)
        repeated = np.repeat(np.asarray(values, dtype=np.float32), lengths)
        return np.bincount(np.concatenate(rows), repeated, minlength=self.size).astype(np.float32)

    def idf(self, token: str) -> float:
        """Inverse document frequency; a term no passage contains gets the highest weight."""
        token_id = self.model.vocab_dict.get(token)
        frequency = 0 if token_id is None else int(self._indptr[token_id + 1] - self._indptr[token_id])
        return math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))


@dataclass(frozen=True)
class Query:
    words: dict[str, float]
    bigrams: dict[str, float]


@dataclass(frozen=True)
class LexicalWeights:
    bigrams: float = 0.5
    questions: float = 1.0


class KindIndex:
    """All lexical channels over one kind of passage, combined after scaling each to [0, 1]."""

    def __init__(
        self,
        words: LexicalIndex,
        bigrams: LexicalIndex,
        questions: LexicalIndex | None = None,
        owners: np.ndarray | None = None,
    ) -> None:
        self.words, self.bigrams, self.questions, self.owners = words, bigrams, questions, owners

    @classmethod
    def build(
        cls, words: list[list[str]], bigrams: list[list[str]], questions: list[list[list[str]]] | None = None
    ) -> "KindIndex":
        if questions is None:
            return cls(LexicalIndex.build(words), LexicalIndex.build(bigrams))
        owners = np.array([owner for owner, asked in enumerate(questions) for _ in asked], dtype=np.int32)
        flat = [tokens for asked in questions for tokens in asked]
        return cls(LexicalIndex.build(words), LexicalIndex.build(bigrams), LexicalIndex.build(flat), owners)

    def save(self, directory: Path) -> None:
        self.words.save(directory / "words")
        self.bigrams.save(directory / "bigrams")
        if self.questions is not None and self.owners is not None:
            self.questions.save(directory / "questions")
            (directory / "owners.json").write_text(json.dumps(self.owners.tolist()), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, size: int) -> "KindIndex":
        words = LexicalIndex.load(directory / "words", size)
        bigrams = LexicalIndex.load(directory / "bigrams", size)
        owners_file = directory / "owners.json"
        if not owners_file.is_file():
            return cls(words, bigrams)
        owners = np.array(json.loads(owners_file.read_text(encoding="utf-8")), dtype=np.int32)
        return cls(words, bigrams, LexicalIndex.load(directory / "questions", len(owners)), owners)

    def scores(self, query: Query, weights: LexicalWeights) -> np.ndarray:
        words = self.words.scores(query.words)
        if not words.any():
            return words
        total = normalized(words) + weights.bigrams * normalized(self.bigrams.scores(query.bigrams))
        if self.questions is not None and self.owners is not None:
            per_question = self.questions.scores(query.words)
            best = np.zeros_like(words)
            np.maximum.at(best, self.owners, per_question)
            total += weights.questions * normalized(best)
        return total
