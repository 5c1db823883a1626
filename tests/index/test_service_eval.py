"""The service-question measurement: loading items and judging policy and station answers."""

import json
from pathlib import Path

import pytest

from index.search import Retriever
from index.service_eval import evaluate_service, load_service_items
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer
from knowledge.places import Gazetteer, load_places, station_places
from knowledge.station_requests import read_station_request
from knowledge.stations import load_stations

BENCH = Path(__file__).resolve().parents[2] / "bench" / "service_questions.jsonl"


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_bundled_service_set_is_well_formed_and_large() -> None:
    items = load_service_items(BENCH)
    assert len(items) >= 40 and {item.kind for item in items} == {"policy", "stations"}
    station_ids = {station.id for station in load_stations()}
    assert all(set(item.nearest) <= station_ids for item in items)


def test_a_policy_item_without_sections_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", [{"question": "会费交多少", "kind": "policy"}])
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_service_items(path)


def test_right_and_wrong_answers_are_counted(tmp_path: Path, fixture_kb) -> None:
    retriever = Retriever(fixture_kb.store.current_dir(), Tokenizer(), SynonymMap.load())
    stations = load_stations()
    gazetteer = Gazetteer(load_places() + station_places(stations))
    path = write(tmp_path / "items.jsonl", [
        {"id": "a", "question": "工会会费每个月按工资的多少交", "kind": "policy",
         "sections": ["membership#会员的义务与会费"]},
        {"id": "b", "question": "工会会费每个月按工资的多少交", "kind": "policy",
         "sections": ["legal-aid#办理时限"]},
        {"id": "c", "question": "于家堡哪能给电瓶充电", "kind": "stations", "places": ["于家堡"],
         "nearest": ["yujiapu-station-outdoor"], "far": False},
        {"id": "d", "question": "蓟州有驿站吗", "kind": "stations", "places": ["蓟州"],
         "nearest": ["airport-apartment"], "far": False},
        {"id": "e", "question": "附近哪能上厕所", "kind": "stations", "places": None, "nearest": []},
    ])
    report = evaluate_service(
        load_service_items(path), retriever.search, lambda q: read_station_request(q, gazetteer), stations
    )
    assert report.right == {"policy": ["a"], "stations": ["c", "e"]}
    assert report.wrong == {"policy": ["b"], "stations": ["d"]}
    assert report.summary()["all"] == pytest.approx(0.6)
