"""Answering-time retrieval over one published index version."""

import re
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
    top_cards: int = 6
    candidate_cards: int = 10
    citation_decay: float = 0.85
    relative_power: float = 0.5
    coverage_power: float = 0.5
    popularity: float = 0.2
    strong_article: float = 0.6
    other_ask_coverage: float = 0.4

    @property
    def lexical(self) -> LexicalWeights:
        return LexicalWeights(bigrams=self.bigram_weight, questions=self.question_weight)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    """Rank within its kind; not comparable across kinds."""
    confidence: float = 0.0
    """How much of the question this passage covers (0–1), weighed the same way for cards, policy sections and
    stations, so an answer can choose between kinds, or fall back, on one scale (articles: against statute
    wording, the measure of `strong`)."""
    strong: bool = False
    """Articles only: the article's own text matches the question well enough to be shown without a card."""


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
    other_asks: list[Hit] = field(default_factory=list)
    """Cards for the question's other separate asks, in the order asked; confidence is the share of its own
    part that each covers."""
    elapsed_ms: float = 0.0
    by_id: dict[str, Passage] = field(default_factory=dict, repr=False)

    @property
    def leading(self) -> Hit | None:
        """The most confident of the best card, policy section and station (a card on a tie)."""
        candidates = [hits[0] for hits in (self.cards, self.policies, self.stations) if hits]
        return max(candidates, key=lambda hit: hit.confidence, default=None)


ASK_BOUNDARY = re.compile(r"[？?；;]|另外|还有|还想问|顺便问|再问一下|以及")
MAX_ASKS = 3


def separate_asks(question: str) -> list[str]:
    """The parts of a question set off as separate asks by a question mark or a connective (a story told in
    several sentences is one ask)."""
    parts = [part.strip(" ，,。") for part in ASK_BOUNDARY.split(question)]
    return [part for part in parts if len(part) >= 4][:MAX_ASKS]


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
        # Expansions come from a fixed vocabulary; segmenting them on every question cost a fifth of a search.
        self._term_tokens = {term: tokenizer.tokens(term) for term in synonyms.terms}
        self._article_prior = self._citation_prior()
        self._card_position = {p.id: i for i, p in enumerate(self.passages[Kind.CARD])}

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
        weights = self._question_weights(tokens)
        card_coverage = self._coverage(Kind.CARD, weights) if Kind.CARD in self.lexical else None
        card_quality = self._card_quality(weights, scores.get(Kind.CARD), card_coverage)
        article_scores = self._article_scores(scores.get(Kind.ARTICLE), card_quality)
        # Confidence also credits the statutory and policy terms the question implies: a policy section says
        # 遗失补办 where the worker says 卡丢了补一张.
        implied = self._question_weights(expansions, self.tuning.expansion_weight) | weights
        confidence = {kind: self._coverage(kind, implied) for kind in self.lexical if kind != Kind.ARTICLE}
        cards = self._hits(Kind.CARD, card_quality, k, confidence.get(Kind.CARD))
        result = SearchResult(
            question=question,
            tokens=tokens,
            expansions=expansions,
            cards=cards,
            articles=self._article_hits(article_scores, k, tokens, expansions),
            policies=self._hits(Kind.POLICY, scores.get(Kind.POLICY), k, confidence.get(Kind.POLICY)),
            stations=self._hits(Kind.STATION, scores.get(Kind.STATION), k, confidence.get(Kind.STATION)),
            coverage=float(card_coverage[self._card_position[cards[0].passage.id]]) if cards else 0.0,
            in_domain=self.tokenizer.in_domain(question),
            dense_used=vector is not None,
            other_asks=self._other_asks(question, cards),
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

    def _question_weights(self, tokens: list[str], scale: float = 1.0) -> dict[str, float]:
        """Each distinct question word weighs its rarity among the cards (the vocabulary of workers' questions),
        whichever kind is matched, so coverage means the same for a card, a policy section and a station."""
        reference = self.lexical.get(Kind.CARD) or next(iter(self.lexical.values()), None)
        if reference is None:
            return {}
        return {token: scale * reference.words.idf(token) for token in set(tokens)}

    def _coverage(self, kind: Kind, weights: dict[str, float]) -> np.ndarray:
        """The share of the question's weight each passage contains; absolute, so a weak best match cannot pass
        for a strong one."""
        total = sum(weights.values())
        if not total:
            return np.zeros(len(self.passages[kind]), dtype=np.float32)
        return self.lexical[kind].words.presence(weights) / total

    def _card_quality(
        self, weights: dict[str, float], scores: np.ndarray | None, coverage: np.ndarray | None
    ) -> np.ndarray | None:
        """Each best-ranked card's strength (0–1, others 0): its rank blended with coverage."""
        if scores is None or coverage is None:
            return None
        quality = np.zeros_like(scores)
        if not weights:
            return quality
        relative = normalized(scores)
        for card in top(scores, self.tuning.candidate_cards):
            quality[card] = coverage[card] ** self.tuning.coverage_power * relative[card] ** self.tuning.relative_power
        return quality

    def _other_asks(self, question: str, cards: list[Hit]) -> list[Hit]:
        """Cards for the other asks: each part of the question set off as a separate ask (…？另外…) whose own
        best cards do not include the best card of the whole question (a pregnant worker moved to a lower-paid
        post who also asks how long maternity leave is), in the order asked."""
        parts = separate_asks(question)
        if not cards or len(parts) < 2:
            return []
        index = self.lexical[Kind.CARD]
        best = self._card_position[cards[0].passage.id]
        found: dict[str, Hit] = {}
        for part in parts:
            weights = self._question_weights(self.tokenizer.tokens(part))
            total = sum(weights.values())
            if not total:
                continue
            expansions = [t for term in self.synonyms.expand(part) for t in self._term_tokens[term]]
            words = dict.fromkeys(expansions, self.tuning.expansion_weight) | dict.fromkeys(weights, 1.0)
            scores = index.scores(Query(words, dict.fromkeys(char_bigrams(part), 1.0)), self.tuning.lexical)
            coverage = index.words.presence(weights) / total
            quality = self._card_quality(weights, scores, coverage)
            leaders = top(quality, 2) if quality is not None else []
            if not leaders or best in leaders or coverage[leaders[0]] < self.tuning.other_ask_coverage:
                continue
            card = self.passages[Kind.CARD][leaders[0]]
            found.setdefault(card.id, Hit(card, float(quality[leaders[0]]), float(coverage[leaders[0]])))
        return list(found.values())

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

    def _hits(self, kind: Kind, scores: np.ndarray | None, k: int, confidence: np.ndarray | None) -> list[Hit]:
        if scores is None:
            return []
        members = self.passages[kind]
        sure = confidence if confidence is not None else np.zeros_like(scores)
        return [Hit(members[i], float(scores[i]), float(sure[i])) for i in top(scores, k)]

    def _article_hits(
        self, scores: np.ndarray | None, k: int, tokens: list[str], expansions: list[str]
    ) -> list[Hit]:
        """Articles with their own match: the statutory terms the question implies count, a little less."""
        if scores is None:
            return []
        words = self.lexical[Kind.ARTICLE].words
        weights = {t: self.tuning.expansion_weight * words.idf(t) for t in expansions}
        weights |= {t: words.idf(t) for t in tokens}
        total = sum(weights.values())
        coverage = words.presence(weights) / total if total else np.zeros_like(scores)
        members = self.passages[Kind.ARTICLE]
        return [
            Hit(members[i], float(scores[i]), float(coverage[i]), bool(coverage[i] >= self.tuning.strong_article))
            for i in top(scores, k)
        ]
