"""Service questions: retrieval and the engine's final reply.

Retrieval: the share where the right policy section is the top policy passage, and where the question is read
as asking for a station, the place it names is recognised and the right station is nearest; and, stricter,
where the right section is also the most confident passage of any kind (SearchResult.leading).

Replies: each question sent to the real engine (a fresh conversation each), scored on what the worker reads —
a policy question answered from one of its sections (named as the reply's first source), a station question
answered with the right nearest station first (with the 12351 hotline exactly when every station is far), or,
when it names no place, asked where the worker is.

    python bench/service_eval.py --laws ../shared/corpus/laws --eval bench/service_questions.jsonl

Statutes are optional (`--laws ''`): policies and stations are ranked among themselves.
"""

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from bot.assistant import Assistant
from bot.engine import Engine, build_engine
from core.db import Database
from core.messages import Channel, Inbound
from core.settings import Settings
from index.build import Sources, build_index
from index.holder import IndexHolder
from index.search import Retriever
from index.service_eval import POLICY, ServiceItem, evaluate_service, load_service_items
from index.store import IndexStore
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer
from knowledge.importer import import_statutes
from knowledge.places import Gazetteer, load_places, station_places
from knowledge.station_requests import read_station_request
from knowledge.stations import load_stations

HOTLINE = "12351"


@contextmanager
def scratch_engine(laws: Path | None, embedding_model: str = "") -> Iterator[tuple[Engine, Retriever]]:
    """The bundled knowledge (and the statutes under `laws`) in a scratch database and index, with the engine."""
    with TemporaryDirectory() as scratch:
        settings = Settings(_env_file=None, data_dir=Path(scratch), embedding_model=embedding_model)
        database = Database(settings.effective_database_url)
        database.migrate()
        if laws is not None:
            import_statutes(database, [laws])
        store = IndexStore(settings.index_dir)
        tokenizer = Tokenizer()
        build_index(database, store, Sources(), embedding_model=embedding_model, tokenizer=tokenizer)
        assistant = Assistant(IndexHolder(store, embedding_model, tokenizer=tokenizer))
        assistant.start()
        try:
            yield build_engine(settings, database, assistant), Retriever(store.current_dir(), tokenizer, SynonymMap.load())
        finally:
            assistant.stop()
            database.dispose()


def reply_right(item: ServiceItem, engine: Engine, retriever: Retriever) -> bool:
    replies = engine.handle(Inbound.text_message(Channel.WEB, f"bench-{item.id}", item.question))
    text = "\n".join(reply.text for reply in replies)
    if item.kind == POLICY:
        labels = [retriever.by_id[f"policy:{section}"].title for section in item.sections]
        return any(f"依据：\n1. {label}：" in text for label in labels)
    if item.places is None:
        return "请发送你的位置" in text
    names = {station.id: station.name for station in load_stations()}
    first = next((line for line in text.splitlines() if line.startswith("1. ")), "")
    if not any(first.startswith(f"1. {names[i]}（") for i in item.nearest if i in names):
        return False
    return item.far is None or (HOTLINE in text) == item.far


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
    with scratch_engine(laws, args.embedding_model) as (engine, retriever):
        report = evaluate_service(
            items, retriever.search, lambda question: read_station_request(question, gazetteer), stations
        )
        replied = {item.id: reply_right(item, engine, retriever) for item in items}
    summary = report.summary()
    print(f"{len(items)} questions from {args.eval}" + ("" if laws else " (no statutes imported)"))
    print("retrieval")
    for kind in ("policy", "stations"):
        print(f"  {kind:<9} {summary.get(kind, 0):.3f} of {summary.get(f'n_{kind}', 0)}"
              f"   missed: {' '.join(report.wrong.get(kind, [])) or '-'}")
    print(f"  all       {summary['all']:.3f}")
    print(f"  policy sections also leading the best card and station by confidence: {summary['policy_leads']:.3f}")
    print("final replies (through the engine)")
    for kind in ("policy", "stations"):
        ids = [item.id for item in items if item.kind == kind]
        right = [i for i in ids if replied[i]]
        missed = " ".join(i for i in ids if not replied[i]) or "-"
        print(f"  {kind:<9} {len(right) / len(ids) if ids else 0:.3f} of {len(ids)}   missed: {missed}")
    share = sum(replied.values()) / len(items) if items else 0.0
    print(f"  all       {share:.3f}")
    print(json.dumps({**summary, "replies": round(share, 4)}))


if __name__ == "__main__":
    main()
