"""Service questions: the share where the right policy section is the top policy passage, and where the
question is read as asking for a station, the place it names is recognised and the right station is nearest;
and, stricter, where the right section is also the most confident passage of any kind (SearchResult.leading).

    python bench/service_eval.py --laws ../shared/corpus/laws --eval bench/service_questions.jsonl

Statutes are optional (`--laws ''`): policies and stations are ranked among themselves.
"""

import argparse
import json
from pathlib import Path

from scratch_index import scratch_retriever

from index.service_eval import evaluate_service, load_service_items
from knowledge.places import Gazetteer, load_places, station_places
from knowledge.station_requests import read_station_request
from knowledge.stations import load_stations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", default="../shared/corpus/laws")
    parser.add_argument("--eval", type=Path, default=Path(__file__).parent / "service_questions.jsonl")
    parser.add_argument("--embedding-model", default="")
    args = parser.parse_args()
    items = load_service_items(args.eval)
    stations = load_stations()
    gazetteer = Gazetteer(load_places() + station_places(stations))
    laws = Path(args.laws) if args.laws and Path(args.laws).is_dir() else None
    with scratch_retriever(laws, args.embedding_model) as retriever:
        report = evaluate_service(
            items, retriever.search, lambda question: read_station_request(question, gazetteer), stations
        )
    summary = report.summary()
    print(f"{len(items)} questions from {args.eval}" + ("" if laws else " (no statutes imported)"))
    for kind in ("policy", "stations"):
        print(f"  {kind:<9} {summary.get(kind, 0):.3f} of {summary.get(f'n_{kind}', 0)}"
              f"   missed: {' '.join(report.wrong.get(kind, [])) or '-'}")
    print(f"  all       {summary['all']:.3f}")
    print(f"  policy sections also leading the best card and station by confidence: {summary['policy_leads']:.3f}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
