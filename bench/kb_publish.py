"""Knowledge-base publishing speed, with the whole shared statute corpus imported:

1. a full lexical rebuild of the index from nothing (empty token cache), in-process, and the same build
   again with the cache warm;
2. two `union-assistant serve` processes, each with its own DATA_DIR, on one database: a one-card edit is
   published through the first server's API, and the clock runs until the second server answers the
   card's question with the edited text (and likewise for rolling the edit back).

    python bench/kb_publish.py                            # scratch PostgreSQL database on 127.0.0.1
    python bench/kb_publish.py --sqlite --rounds 5        # one SQLite file shared by both processes

Targets: publish → answered by the other server ≤ 10 s; full lexical rebuild ≤ 10 s.
"""

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from core.db import Database  # noqa: E402
from index.build import build_knowledge, published_knowledge  # noqa: E402
from index.store import IndexStore  # noqa: E402
from index.tokenizer import Tokenizer  # noqa: E402
from support.app_process import app_server, command, environment  # noqa: E402
from support.console import PASSWORD  # noqa: E402
from support.kb import api, wait_until  # noqa: E402
from support.postgres import scratch_database  # noqa: E402

CARD = "wage-arrears"


def rebuild_times(database_url: str, scratch: Path) -> tuple[float, float, int]:
    """Cold and warm full lexical builds of the published version; the tokenizer is loaded beforehand,
    as it is in a running server."""
    database = Database(database_url)
    knowledge = published_knowledge(database)
    tokenizer = Tokenizer()
    tokenizer.warm_up()
    store = IndexStore(scratch / "rebuild")
    times = []
    for _ in range(2):
        started = time.perf_counter()
        build_knowledge(knowledge, store, tokenizer=tokenizer)
        times.append(time.perf_counter() - started)
    database.dispose()
    return times[0], times[1], len(knowledge.passages)


def answer_of(url: str, question: str) -> str:
    return httpx.post(f"{url}/api/ask", json={"question": question}, timeout=30).json()["answer"]


def measure_round(admin: httpx.Client, other: str, card: dict, question: str, marker: str) -> tuple[float, float]:
    fields = {key: card[key] for key in ("title", "topic", "questions", "answer", "citations", "tags", "action")}
    edited = {**fields, "answer": f"{card['answer'][: 400 - len(marker)]}{marker}"}
    assert admin.put(f"/api/kb/cards/{CARD}", json=edited).status_code == 200
    started = time.monotonic()
    assert admin.post("/api/kb/publish", json={"note": "bench"}).status_code == 201
    wait_until(lambda: marker in answer_of(other, question), timeout=120, every=0.05)
    published = time.monotonic() - started
    started = time.monotonic()
    assert admin.post("/api/kb/rollback", json={}).status_code == 201
    wait_until(lambda: marker not in answer_of(other, question), timeout=120, every=0.05)
    return published, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=Path, default=ROOT.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--sqlite", action="store_true", help="share one SQLite file instead of PostgreSQL")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.laws.is_dir():
        sys.exit(f"{args.laws} is not a directory of statutes")
    with ExitStack() as stack, tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        url = f"sqlite:///{scratch / 'shared.sqlite3'}" if args.sqlite else stack.enter_context(scratch_database())
        first, second = (environment(scratch / name, url) for name in ("a", "b"))
        for env in (first, second):
            Path(env["DATA_DIR"]).mkdir()
        command(first, "kb", "import", str(args.laws))
        command(first, "user", "create", "--username", "bench", "--role", "admin", "--password-stdin", stdin=PASSWORD)
        cold, warm, passages = rebuild_times(url, scratch)
        print(f"database: {'SQLite file shared by both servers' if args.sqlite else 'PostgreSQL scratch database'}")
        print(f"full lexical rebuild, {passages} passages: {cold:.2f} s from nothing, {warm:.2f} s with the cache warm")

        one = stack.enter_context(app_server(first))
        started = time.monotonic()
        other = stack.enter_context(app_server(second))
        wait_until(lambda: httpx.get(f"{other}/healthz").json()["knowledge_version"] is not None, timeout=300)
        took = time.monotonic() - started
        print(f"second server started with an empty DATA_DIR and built its own index in {took:.1f} s")

        admin = api(one, "bench")
        card = admin.get(f"/api/kb/cards/{CARD}").json()
        question = next(
            q
            for q in card["questions"]
            if admin.post("/api/kb/hit-test", json={"question": q}).json()["card_id"] == CARD
        )
        results = [measure_round(admin, other, card, question, f"（第{n}轮）") for n in range(1, args.rounds + 1)]
        publishes, rollbacks = zip(*results)
        for label, times in (("one-card edit, publish on server 1 → answered by server 2", publishes),
                             ("rollback on server 1 → gone from server 2", rollbacks)):
            figures = ", ".join(f"{t:.2f}" for t in times)
            print(f"{label}: {figures} s (median {statistics.median(times):.2f} s)")


if __name__ == "__main__":
    main()
