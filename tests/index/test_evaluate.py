"""The evaluation metrics, checked by hand-computed examples."""

import json
from pathlib import Path

import pytest

from index.evaluate import evaluate, item_scores, law_of, load_items


def test_gold_law_is_the_short_title_of_the_file_stem() -> None:
    assert law_of("劳动合同法(2012-12-28)") == "劳动合同法"


def test_recall_and_reciprocal_rank() -> None:
    gold = frozenset({("甲法", 1), ("甲法", 2)})
    ranking = [("乙法", 9), ("甲法", 2)] + [("乙法", n) for n in range(10, 18)] + [("甲法", 1)]
    scores = item_scores(ranking, gold)
    assert scores == {"recall@1": 0.0, "recall@5": 0.5, "recall@10": 0.5, "mrr@10": 0.5}


def test_report_averages_items_and_groups_by_source(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    rows = [
        {"id": "a:1", "question": "q1", "gold": [{"law": "甲法(2020-01-01)", "article": 1}]},
        {"id": "b:2", "question": "q2", "gold": [{"law": "甲法(2020-01-01)", "article": 2}]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = evaluate(lambda q: [("甲法", 1)], load_items(path))
    assert report.summary()["recall@1"] == 0.5 and report.summary()["mrr@10"] == 0.5
    assert report.per_source["a"]["recall@1"] == 1.0 and report.per_source["b"]["recall@1"] == 0.0
    assert set(report.summary()) == {"recall@1", "recall@5", "recall@10", "mrr@10", "p50_ms", "p95_ms", "n"}


def test_malformed_line_names_its_place(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text('{"question": "q"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="eval.jsonl:1"):
        load_items(path)
