"""Retrieval quality side by side: plain BM25 baseline vs. the assistant (lexical-only unless configured).

Baseline: rank_bm25 over default jieba tokens (punctuation dropped), each article indexed as
"<short title> 第N条 <text>" — the reference point in ../shared/eval/README.md.

Three sets: the dev set (real questions, third-party labels), our own set (bench/questions.jsonl) and the
held-out consultations (bench/consultations.jsonl, written before any tuning on it and never tuned against
question by question). A change to ranking is kept only if it helps dev without hurting the other two.

    python bench/eval_vs_baseline.py --laws ../shared/corpus/laws --eval ../shared/eval/dev.jsonl
"""

import argparse
import json
import re
from pathlib import Path

import jieba
from rank_bm25 import BM25Okapi
from scratch_index import scratch_retriever

from index.evaluate import Report, evaluate, load_items
from index.passages import Kind
from index.search import Retriever

PUNCTUATION = re.compile(r"^[\W_]+$")
BENCH = Path(__file__).resolve().parent
OWN_SETS = {"own set": BENCH / "questions.jsonl", "held-out": BENCH / "consultations.jsonl"}


def baseline_tokens(text: str) -> list[str]:
    return [token for token in jieba.lcut(text) if token.strip() and not PUNCTUATION.match(token)]


def baseline_ranker(retriever: Retriever):
    articles = retriever.passages[Kind.ARTICLE]
    keys = [(p.meta["law"], p.meta["number"]) for p in articles]
    corpus = [baseline_tokens(f"{p.meta['law']} {p.meta['label']} {p.text}") for p in articles]
    bm25 = BM25Okapi(corpus)

    def rank(question: str) -> list[tuple[str, int]]:
        scores = bm25.get_scores(baseline_tokens(question))
        order = sorted(range(len(keys)), key=lambda i: -scores[i])[:10]
        return [keys[i] for i in order]

    return rank


def assistant_ranker(retriever: Retriever):
    def rank(question: str) -> list[tuple[str, int]]:
        return [(h.passage.meta["law"], h.passage.meta["number"]) for h in retriever.search(question, 10).articles]

    return rank


def table(name: str, report: Report) -> str:
    s = report.summary()
    return (
        f"{name:<10} R@1 {s['recall@1']:.3f}  R@5 {s['recall@5']:.3f}  R@10 {s['recall@10']:.3f}  "
        f"MRR@10 {s['mrr@10']:.3f}  p50 {s['p50_ms']:.2f} ms  p95 {s['p95_ms']:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=Path, default=Path("../shared/corpus/laws"))
    parser.add_argument("--eval", type=Path, default=Path("../shared/eval/dev.jsonl"))
    parser.add_argument("--embedding-model", default="")
    args = parser.parse_args()
    with scratch_retriever(args.laws, args.embedding_model) as retriever:
        items = load_items(args.eval)
        baseline = evaluate(baseline_ranker(retriever), items)
        ours = evaluate(assistant_ranker(retriever), items)
        others = {name: evaluate(assistant_ranker(retriever), load_items(path)) for name, path in OWN_SETS.items()}
    print(f"{len(items)} questions from {args.eval}")
    print(table("baseline", baseline))
    print(table("assistant", ours))
    for key in ("recall@5", "mrr@10"):
        base, mine = baseline.summary()[key], ours.summary()[key]
        print(f"{key}: {mine:.3f} vs {base:.3f} = {mine / base:.2f}x baseline" if base else f"{key}: {mine:.3f}")
    print("per source (assistant):")
    for source, scores in ours.per_source.items():
        print(f"  {source:<18} " + "  ".join(f"{k} {v:.3f}" if k != "n" else f"n {int(v)}" for k, v in scores.items()))
    for name, report in others.items():
        print(f"{report.n} questions from {OWN_SETS[name].name}")
        print(table(name, report))
    summaries = {"baseline": baseline.summary(), "assistant": ours.summary()}
    print(json.dumps(summaries | {name: report.summary() for name, report in others.items()}))


if __name__ == "__main__":
    main()
