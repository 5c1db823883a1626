"""Retrieval evaluation: Recall@k and MRR@10 over statute articles, with latency percentiles."""

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    gold: frozenset[tuple[str, int]]

    @property
    def source(self) -> str:
        return self.id.split(":", 1)[0]


def law_of(stem: str) -> str:
    """A gold law is a corpus file stem, 劳动合同法(2012-12-28); its short title is before the bracket."""
    return stem.split("(", 1)[0].strip()


def load_items(path: Path) -> list[EvalItem]:
    items: list[EvalItem] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                gold = frozenset((law_of(g["law"]), int(g["article"])) for g in row["gold"])
                items.append(EvalItem(str(row.get("id", number)), row["question"], gold))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: not an evaluation item ({error})") from None
    return items


@dataclass
class Report:
    n: int
    recall: dict[int, float]
    mrr10: float
    p50_ms: float
    p95_ms: float
    per_source: dict[str, dict[str, float]]

    def summary(self) -> dict[str, float | int]:
        return {
            **{f"recall@{k}": round(v, 4) for k, v in self.recall.items()},
            "mrr@10": round(self.mrr10, 4),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "n": self.n,
        }


def item_scores(ranking: list[tuple[str, int]], gold: frozenset[tuple[str, int]]) -> dict[str, float]:
    scores = {f"recall@{k}": len(gold & set(ranking[:k])) / len(gold) for k in CUTOFFS}
    first = next((rank for rank, key in enumerate(ranking[:10], 1) if key in gold), None)
    scores["mrr@10"] = 1.0 / first if first else 0.0
    return scores


def evaluate(rank: Callable[[str], list[tuple[str, int]]], items: list[EvalItem]) -> Report:
    """`rank` maps a question to statute articles, best first; it is timed as a whole."""
    latencies: list[float] = []
    rows: list[tuple[str, dict[str, float]]] = []
    for item in items:
        started = time.perf_counter()
        ranking = rank(item.question)
        latencies.append((time.perf_counter() - started) * 1000)
        rows.append((item.source, item_scores(ranking, item.gold)))
    return Report(
        n=len(items),
        recall={k: _mean(s[f"recall@{k}"] for _, s in rows) for k in CUTOFFS},
        mrr10=_mean(s["mrr@10"] for _, s in rows),
        p50_ms=float(np.percentile(latencies, 50)) if latencies else 0.0,
        p95_ms=float(np.percentile(latencies, 95)) if latencies else 0.0,
        per_source=_per_source(rows),
    )


def _per_source(rows: list[tuple[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    grouped: dict[str, list[dict[str, float]]] = defaultdict(list)
    for source, scores in rows:
        grouped[source].append(scores)
    return {
        source: {"n": len(group), **{key: _mean(s[key] for s in group) for key in group[0]}}
        for source, group in sorted(grouped.items())
    }


def _mean(values) -> float:
    values = list(values)
    return float(sum(values) / len(values)) if values else 0.0
