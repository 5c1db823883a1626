"""Answering-time retrieval over one published index version."""

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.dense import DenseIndex, Encoder
from index.fusion import normalized, propagate, reciprocal_rank_fusion, top
from index.lexical import KindIndex, LexicalWeights, Query
from index.passages import Kind, Passage, article_id, read_passages
from index.store import Manifest, read_manifest
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer, char_bigrams

PASSAGES = "passages.jsonl"


@dataclass(frozen=True)
class Tuning:
    """The few global knobs of ranking; the same for every question."""

    expansion_weight: float = 0.6
    bigram_weight: float = 0.5
    question_weight: float = 1.0
    card_weight: float = 1.0
    article_weight: float = 0.45
    top_cards: int = 3
    candidate_cards: int = 10
    citation_decay: float = 0.85
    relative_power: float = 0.5
    coverage_power: float = 0.5
    popularity: float = 0.2

    @property
    def lexical(self) -> LexicalWeights:
        return LexicalWeights(bigrams=self.bigram_weight, questions=self.question_weight)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


@dataclass
class SearchResult:
    question: str
    tokens: list[str]
    expansions: list[str]
    cards: list[Hit]
    articles: list[Hit]
    policies: list[Hit]
    stations: list[Hit]
    coverage: float
    in_domain: bool
    dense_used: bool
    elapsed_ms: float = 0.0
    by_id: dict[str, Passage] = field(default_factory=dict, repr=False)


class Retriever:
    def __init__(
        self,
        directory: Path,
        tokenizer: Tokenizer,
        synonyms: SynonymMap,
        encoder: Encoder | None = None,
        tuning: Tuning = Tuning(),
    ) -> None:
        self.directory = directory
        self.manifest: Manifest = read_manifest(directory)
        self.tokenizer = tokenizer
        self.synonyms = synonyms
        self.tuning = tuning
        passages = read_passages(directory / PASSAGES)
        self.by_id = {passage.id: passage for passage in passages}
        self.passages = {kind: [p for p in passages if p.kind == kind] for kind in Kind}
        self.lexical = {
            kind: KindIndex.load(directory / "lexical" / kind, len(members))
            for kind, members in self.passages.items()
            if members
        }
        self.dense: dict[Kind, DenseIndex] = {}
        self.encoder = encoder
        self._article_position = {p.id: i for i, p in enumerate(self.passages[Kind.ARTICLE])}
        self._card_citations = [self._cited_positions(card) for card in self.passages[Kind.CARD]]
        self._card_tokens = [frozenset(tokenizer.tokens(card.search_text)) for card in self.passages[Kind.CARD]]
        # Expansions come from a fixed vocabulary; segmenting them on every question cost a fifth of a search.
        self._term_tokens = {term: tokenizer.tokens(term) for term in synonyms.terms}
        self._article_prior = self._citation_prior()

    @property
    def version(self) -> str:
        return self.manifest.version

    def attach_dense(self, encoder: Encoder) -> None:
        """Turn the dense channel on; called once the model has loaded (possibly long after start-up)."""
        dense_dir = self.directory / "dense"
        self.dense = {
            kind: DenseIndex.load(dense_dir / f"{kind}.faiss")
            for kind, members in self.passages.items()
            if members and (dense_dir / f"{kind}.faiss").is_file()
        }
        self.encoder = encoder

    @property
    def dense_ready(self) -> bool:
        return bool(self.dense) and self.encoder is not None

    def _cited_positions(self, card: Passage) -> list[int]:
        ids = (article_id(law, number) for law, number in card.meta["citations"])
        return [self._article_position[i] for i in ids if i in self._article_position]

    def search(self, question: str, k: int = 10) -> SearchResult:
        started = time.perf_counter()
        tokens, expansions, query = self._query(question)
        vector = self._query_vector(question)
        scores = {kind: self._channel_scores(kind, query, vector) for kind in self.lexical}
        card_quality, coverage = self._card_quality(tokens, scores.get(Kind.CARD))
        article_scores = self._article_scores(scores.get(Kind.ARTICLE), card_quality)
        result = SearchResult(
            question=question,
            tokens=tokens,
            expansions=expansions,
            cards=self._hits(Kind.CARD, card_quality, k),
            articles=self._hits(Kind.ARTICLE, article_scores, k),
            policies=self._hits(Kind.POLICY, scores.get(Kind.POLICY), k),
            stations=self._hits(Kind.STATION, scores.get(Kind.STATION), k),
            coverage=coverage,
            in_domain=self.tokenizer.in_domain(question),
            dense_used=vector is not None,
            by_id=self.by_id,
        )
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    def _query(self, question: str) -> tuple[list[str], list[str], Query]:
        tokens = self.tokenizer.tokens(question)
        expansions = [t for term in self.synonyms.expand(question) for t in self._term_tokens[term]]
        weighted = dict.fromkeys(expansions, self.tuning.expansion_weight) | dict.fromkeys(tokens, 1.0)
        return tokens, expansions, Query(words=weighted, bigrams=dict.fromkeys(char_bigrams(question), 1.0))

    def channel_ranks(self, question: str, ids: list[str]) -> dict[str, dict[str, int | None]]:
        """Where each passage ranks among its kind in each channel before fusion (1 = best, None = no match):
        what hit testing shows beside the fused score."""
        _, _, query = self._query(question)
        vector = self._query_vector(question)
        wanted = set(ids)
        ranks: dict[str, dict[str, int | None]] = {i: {"lexical": None, "dense": None} for i in ids if i in self.by_id}
        for kind, lexical in self.lexical.items():
            channels = {"lexical": lexical.scores(query, self.tuning.lexical)}
            if vector is not None and kind in self.dense:
                channels["dense"] = self.dense[kind].scores(vector)
            members = self.passages[kind]
            for channel, scores in channels.items():
                for rank, position in enumerate(top(scores, scores.size), start=1):
                    if members[position].id in wanted:
                        ranks[members[position].id][channel] = rank
        return ranks

    def _query_vector(self, question: str) -> np.ndarray | None:
        if not self.dense_ready:
            return None
        return self.encoder.encode([question])[0]

    def _channel_scores(self, kind: Kind, query: Query, vector: np.ndarray | None) -> np.ndarray:
        lexical = self.lexical[kind].scores(query, self.tuning.lexical)
        if vector is None or kind not in self.dense:
            return lexical
        dense = self.dense[kind].scores(vector)
        return reciprocal_rank_fusion([lexical, dense]) * (1.0 if lexical.any() else 0.5)

    def _card_quality(self, tokens: list[str], scores: np.ndarray | None) -> tuple[np.ndarray | None, float]:
        """Each best-ranked card's strength (0–1, others 0), and how much of the question the best one covers.

        Strength blends BM25 rank with coverage, the share of the question's weight found in the card;
        coverage is absolute, so a weak best card cannot pass for a strong one, and it is what
        the composer's confidence rests on.
        """
        if scores is None:
            return None, 0.0
        quality = np.zeros_like(scores)
        weights = {token: self.lexical[Kind.CARD].words.idf(token) for token in set(tokens)}
        total = sum(weights.values())
        if not total:
            return quality, 0.0
        relative = normalized(scores)
        coverage = np.zeros_like(scores)
        for card in top(scores, self.tuning.candidate_cards):
            coverage[card] = sum(w for token, w in weights.items() if token in self._card_tokens[card]) / total
            quality[card] = coverage[card] ** self.tuning.coverage_power * relative[card] ** self.tuning.relative_power
        best = top(quality, 1)
        return quality, float(coverage[best[0]]) if best else 0.0

    def _citation_prior(self) -> np.ndarray:
        """Articles our cards cite often are the ones workers' questions usually turn on."""
        counts = np.zeros(len(self.passages[Kind.ARTICLE]), dtype=np.float32)
        for cited in self._card_citations:
            counts[cited] += 1
        return 1.0 + self.tuning.popularity * np.log1p(counts)

    def _article_scores(self, direct: np.ndarray | None, cards: np.ndarray | None) -> np.ndarray | None:
        if direct is None or cards is None:
            return direct
        direct = direct * self._article_prior
        inherited = propagate(
            cards,
            self._card_citations,
            direct.size,
            self.tuning.top_cards,
            self.tuning.citation_decay,
        )
        return self.tuning.article_weight * normalized(direct) + self.tuning.card_weight * inherited

    def _hits(self, kind: Kind, scores: np.ndarray | None, k: int) -> list[Hit]:
        if scores is None:
            return []
        members = self.passages[kind]
        return [Hit(members[i], float(scores[i])) for i in top(scores, k)]
