"""Soak with faults: mixed traffic from 50 concurrent users against `union-assistant serve` on loopback for a
fixed time, while the server is SIGKILLed and restarted at random moments.

    python bench/soak.py                                    # 300 s, SQLite, one worker
    python bench/soak.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres --workers 2

Each user repeats, in a weighted mix: a question in the web chat, a dispute intake to its case number, a
membership application, an event registration, and console reads as a logged-in mediator (queue, a case,
dashboard). Every intake, application and registration carries a unique phone number, so the stored rows can
be matched with what the server acknowledged. A flow cut by a restart is abandoned, never retried.

Printed: requests and throughput, p50/p99 of successful requests, errors outside the restart windows (a kill
until the server answers again, plus a second), acknowledged against stored (lost = acknowledged but not
stored; duplicated = stored more than once) and the server's peak RSS (every process of it, summed).
"""

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import httpx
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from support.postgres import scratch_database  # noqa: E402
from support.server import free_port  # noqa: E402
from wechat_load import QUESTIONS, prepare  # noqa: E402

from core.events import Registration  # noqa: E402
from core.members import Member  # noqa: E402
from core.tickets import Ticket  # noqa: E402

EXE = Path(sys.executable).parent / "union-assistant"
EVENT_TITLE = "职工健步走"
MEDIATOR, PASSWORD = "soak-mediator", "soak password 1"
WEIGHTS = {"question": 50, "intake": 12, "join": 10, "register": 13, "console": 15}
GRACE = 1.0  # seconds after the server answers again during which a failure still counts to the restart
RSS_LIMIT_MB = 1024
# Idle connections are dropped before uvicorn's 5 s keep-alive ends, as browsers and nginx do; otherwise a
# request sent just as the server closes an idle connection fails, and that is the client's doing.
LIMITS = httpx.Limits(keepalive_expiry=2)


class Refused(Exception):
    """A request failed: no answer, or a 5xx."""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=lambda: {"chat": [], "console": []})
    failures: list[tuple[float, float, str]] = field(default_factory=list)  # start, end, what went wrong
    outages: list[tuple[float, float]] = field(default_factory=list)  # kill → answering again
    acknowledged: dict[str, set[str]] = field(default_factory=lambda: {"cases": set(), "members": set(),
                                                                       "registrations": set()})
    flows: Counter = field(default_factory=Counter)
    peak_rss_kb: int = 0

    def outside_restarts(self) -> list[str]:
        """Failed requests that were not in flight while the server was down (or just back)."""
        return [why for began, ended, why in self.failures
                if not any(began <= up + GRACE and ended >= down for down, up in self.outages)]


class Phones:
    """A unique mainland mobile number for every intake, application and registration."""

    def __init__(self) -> None:
        self.next = 13500000000

    def __call__(self) -> str:
        self.next += 1
        return str(self.next)


@dataclass
class Server:
    command: list[str]
    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as sink:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=sink, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    async def wait_until_up(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                try:
                    if (await client.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"server did not come back: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the server and every worker of it, as a power cut or the OOM killer would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)

    def rss_kb(self) -> int:
        """Resident memory of the server's process group, summed from /proc."""
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.getpgid(int(entry.name)) != self.process.pid:
                    continue
                status = (entry / "status").read_text()
            except (OSError, ProcessLookupError):
                continue
            found = re.search(r"VmRSS:\s+(\d+) kB", status)
            total += int(found.group(1)) if found else 0
        return total


class User:
    """One of the concurrent users: picks a flow, runs it, and records what the server acknowledged."""

    def __init__(self, base: str, tally: Tally, phones: Phones, event_id: int, rng: random.Random) -> None:
        self.base, self.tally, self.phones, self.event_id, self.rng = base, tally, phones, event_id, rng
        self.client = httpx.AsyncClient(base_url=base, timeout=30)
        self.console: httpx.AsyncClient | None = None

    async def request(self, client: httpx.AsyncClient, method: str, path: str, **kwargs) -> httpx.Response:
        started = time.monotonic()
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.failed(started, f"{method} {path}: {type(error).__name__}")
        if response.status_code >= 500:
            self.failed(started, f"{method} {path}: {response.status_code}")
        took = time.monotonic() - started
        self.tally.latencies.append(took)
        self.tally.by_kind["console" if path.startswith("/console") else "chat"].append(took)
        return response

    def failed(self, started: float, why: str) -> NoReturn:
        self.tally.failures.append((started, time.monotonic(), why))
        raise Refused(why)

    async def say(self, session: str, text: str) -> str:
        response = await self.request(self.client, "POST", "/api/chat", json={"text": text},
                                      headers={"cookie": f"chat_session={session}"})
        return "\n".join(reply["text"] for reply in response.json()["replies"])

    async def flow(self, *texts: str) -> str:
        """A conversation of a new web-chat visitor; what the server said last."""
        session, said = secrets.token_urlsafe(24), ""
        for text in texts:
            said = await self.say(session, text)
        return said

    async def question(self) -> None:
        await self.flow(self.rng.choice(QUESTIONS))

    async def intake(self) -> None:
        phone = self.phones()
        said = await self.flow("维权求助", "欠薪", "天津示例物流有限公司", "今年三月起公司没发工资，一共欠了两个月",
                               "2万", "王先生", phone, "工作日晚上", "东疆", "同意", "确认提交")
        if "你的案件编号是 WQ" in said:
            self.tally.acknowledged["cases"].add(phone)

    async def join(self) -> None:
        phone = self.phones()
        said = await self.flow("入会", "在单位上班", "王小明", phone, "天津示例制造有限公司", "同意", "确认提交")
        if "审核后会把会员服务卡号发给你" in said:
            self.tally.acknowledged["members"].add(phone)

    async def register(self) -> None:
        phone = self.phones()
        said = await self.flow("活动报名", f"活动{self.event_id}", "我要报名", "李师傅", phone, "同意", "确认提交")
        if "报名成功" in said or "候补第" in said:
            self.tally.acknowledged["registrations"].add(phone)

    async def console_reads(self) -> None:
        if self.console is None:
            self.console = httpx.AsyncClient(base_url=self.base, timeout=30, limits=LIMITS)
            login = await self.request(self.console, "POST", "/console/login",
                                       data={"username": MEDIATOR, "password": PASSWORD})
            if login.status_code != 303:
                raise RuntimeError(f"console login refused: {login.status_code}")
        queue = await self.request(self.console, "GET", "/console")
        case = re.search(r'href="(/console/tickets/\d+)"', queue.text)
        if case:
            await self.request(self.console, "GET", case.group(1))
        await self.request(self.console, "GET", "/console/dashboard")

    async def reconnect(self) -> None:
        """New connections (and a new console login) after a failure: the old ones died with the server."""
        await self.client.aclose()
        self.client = httpx.AsyncClient(base_url=self.base, timeout=30, limits=LIMITS)
        if self.console:
            await self.console.aclose()
            self.console = None

    async def run(self, deadline: float) -> None:
        flows = {"question": self.question, "intake": self.intake, "join": self.join,
                 "register": self.register, "console": self.console_reads}
        names, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.monotonic() < deadline:
            name = self.rng.choices(names, weights)[0]
            try:
                await flows[name]()
                self.tally.flows[name] += 1
            except Refused:
                self.tally.flows[f"{name} cut"] += 1
                await self.reconnect()
                await asyncio.sleep(0.2)
        await self.client.aclose()
        if self.console:
            await self.console.aclose()


async def kill_at_random(server: Server, tally: Tally, deadline: float, rng: random.Random, gap: float):
    kills = 0
    while True:
        await asyncio.sleep(rng.uniform(gap / 2, gap * 1.5))
        if time.monotonic() >= deadline - 5:
            return kills
        down = time.monotonic()
        server.kill()
        server.start()
        await server.wait_until_up()
        tally.outages.append((down, time.monotonic()))
        kills += 1


async def watch_memory(server: Server, tally: Tally, deadline: float) -> None:
    while time.monotonic() < deadline:
        tally.peak_rss_kb = max(tally.peak_rss_kb, server.rss_kb())
        await asyncio.sleep(0.5)


async def soak(server: Server, args, event_id: int) -> tuple[Tally, int, float]:
    tally, phones, rng = Tally(), Phones(), random.Random(args.seed)
    base = f"http://127.0.0.1:{server.port}"
    began = time.monotonic()
    deadline = began + args.duration
    users = [User(base, tally, phones, event_id, random.Random(args.seed + n)) for n in range(args.users)]
    killer = asyncio.create_task(kill_at_random(server, tally, deadline, rng, args.kill_every))
    watcher = asyncio.create_task(watch_memory(server, tally, deadline))
    await asyncio.gather(*(user.run(deadline) for user in users))
    kills = await killer
    await watcher
    return tally, kills, time.monotonic() - began


def stored(database_url: str) -> dict[str, Counter]:
    """How many times each phone is stored, per kind."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                kind: Counter(dict(connection.execute(
                    select(model.phone, func.count()).group_by(model.phone)).all()))
                for kind, model in (("cases", Ticket), ("members", Member), ("registrations", Registration))
            }
    finally:
        engine.dispose()


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


def report(tally: Tally, kills: int, elapsed: float, counts: dict[str, Counter], args, knowledge: str):
    ordered = sorted(tally.latencies)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"Soak: {elapsed:.0f} s, {args.users} users, {database}, {args.workers} worker(s), "
          f"{os.cpu_count()} CPUs, knowledge: {knowledge}")
    print(f"flows: {dict(sorted(tally.flows.items()))}")
    print(f"requests {len(ordered)} ok, {len(ordered) / elapsed:.1f} req/s; "
          f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {percentile(ordered, 0.99):.0f} ms "
          + "(" + ", ".join(f"{kind} {len(times)}: p50 {statistics.median(times) * 1000:.0f} ms, "
                            f"p99 {percentile(sorted(times), 0.99):.0f} ms"
                            for kind, times in tally.by_kind.items() if times) + ")")
    down = sum(end - start for start, end in tally.outages)
    outside = tally.outside_restarts()
    examples = f": {dict(Counter(outside).most_common(5))}" if outside else ""
    print(f"restarts {kills} (SIGKILL, {down:.1f} s down in all); failed requests {len(tally.failures)}, "
          f"outside restarts {len(outside)}{examples}")
    sound = not outside
    for kind, acknowledged in tally.acknowledged.items():
        lost = sum(1 for phone in acknowledged if counts[kind][phone] == 0)
        duplicated = sum(1 for n in counts[kind].values() if n > 1)
        unacknowledged = sum(1 for phone in counts[kind] if phone not in acknowledged)
        print(f"{kind:<13} acknowledged {len(acknowledged):>5}  stored {sum(counts[kind].values()):>5}  "
              f"lost {lost}  duplicated {duplicated}  stored unacknowledged {unacknowledged}")
        sound = sound and lost == 0 and duplicated == 0
    peak = tally.peak_rss_kb / 1024
    print(f"peak RSS {peak:.0f} MB (limit {RSS_LIMIT_MB} MB: {'met' if peak < RSS_LIMIT_MB else 'missed'})")
    return sound and peak < RSS_LIMIT_MB


def setup(env: dict[str, str]) -> int:
    """A mediator account for console reads and one large event to register for; the event's id."""
    account = ["user", "create", "--username", MEDIATOR, "--role", "mediator", "--password-stdin"]
    subprocess.run([str(EXE), *account], input=PASSWORD, text=True, env=env, check=True, capture_output=True)
    start = time.strftime("%Y-%m-%dT10:00", time.localtime(time.time() + 30 * 86400))
    created = subprocess.run([str(EXE), "events", "create", "--title", EVENT_TITLE, "--start", start,
                              "--capacity", "100000", "--place", "水上公园"], text=True, env=env, check=True,
                             capture_output=True)
    return int(created.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of traffic")
    parser.add_argument("--users", type=int, default=50, help="concurrent users")
    parser.add_argument("--kill-every", type=float, default=30, help="mean seconds between SIGKILLs")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--laws", type=Path, default=ROOT.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--postgres", metavar="SERVER_URL", help="a PostgreSQL server for a scratch database "
                        "(default: SQLite in the temporary DATA_DIR)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="soak-") as scratch, ExitStack() as stack:
        database_url = f"sqlite:///{scratch}/assistant.sqlite3"
        if args.postgres:
            database_url = stack.enter_context(scratch_database(args.postgres, "soak"))
        env = os.environ | {"DATA_DIR": scratch, "DATABASE_URL": database_url, "EMBEDDING_MODEL": "",
                            "LOG_LEVEL": "WARNING"}
        knowledge = prepare(Path(scratch), env, args.laws)
        event_id = setup(env)
        port = free_port()
        command = [str(EXE), "serve", "--port", str(port), "--workers", str(args.workers)]
        server = Server(command, env, port, Path(scratch) / "server.log")
        server.start()
        try:
            asyncio.run(server.wait_until_up())
            tally, kills, elapsed = asyncio.run(soak(server, args, event_id))
        finally:
            server.stop()
        sound = report(tally, kills, elapsed, stored(database_url), args, knowledge)
    sys.exit(0 if sound else 1)


if __name__ == "__main__":
    main()
