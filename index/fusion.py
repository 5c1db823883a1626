"""Combining channels and passage kinds into one ranking."""

import numpy as np

RRF_K = 60.0


def normalized(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] by the best score, so channels with different ranges can be added."""
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def reciprocal_rank_fusion(channels: list[np.ndarray], depth: int = 100) -> np.ndarray:
    """RRF over the top `depth` of each channel; robust to channels whose scores are not comparable."""
    fused = np.zeros_like(channels[0], dtype=np.float32)
    for scores in channels:
        order = np.argsort(-scores, kind="stable")[:depth]
        order = order[scores[order] > 0]
        fused[order] += 1.0 / (RRF_K + np.arange(1, order.size + 1))
    return fused


def propagate(
    card_scores: np.ndarray, citations: list[list[int]], size: int, top_cards: int, position_decay: float
) -> np.ndarray:
    """Articles inherit the scores of the best cards that cite them; earlier citations weigh more.

    An article several of the best cards rest on is likelier the one the question turns on than an article only
    one of them cites, so the cards' evidence combines as a noisy-or, 1 − ∏(1 − s): one card alone gives its own
    score, each further card closes part of the remaining gap, and the result stays within [0, 1].
    """
    missing = np.ones(size, dtype=np.float32)
    best = np.argsort(-card_scores, kind="stable")[:top_cards]
    for card in best:
        score = min(float(card_scores[card]), 1.0)
        if score <= 0:
            break
        for position, article in enumerate(citations[card]):
            missing[article] *= 1.0 - score * position_decay**position
    return 1.0 - missing


def top(scores: np.ndarray, k: int) -> list[int]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order if scores[i] > 0]
