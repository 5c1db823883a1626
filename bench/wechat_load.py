"""WeChat load: signed (by default encrypted) messages from 50 concurrent senders against the real app,
side by side with a bare FastAPI endpoint that only checks the signature and echoes the message as a
passive reply — the ceiling of the web stack on this machine.

    python bench/wechat_load.py                      # 3000 messages per endpoint, safe mode
    python bench/wechat_load.py --duration 60 --workers 2 --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

The app runs as `union-assistant serve` with DATA_DIR in a temporary directory: the index is built from
the bundled cards and, when ../shared/corpus/laws exists, the whole statute corpus is imported first. Its
database is SQLite in that directory, or with --postgres a scratch database on that server, dropped afterwards.
Both servers run the same uvicorn (same worker count) and log warnings only. Target: p99 < 500 ms and
throughput at least half the ceiling's.
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.postgres import scratch_database  # noqa: E402
from support.server import free_port  # noqa: E402
from support.wechat_simulator import WeChatPlatform, new_aes_key  # noqa: E402

EXE = Path(sys.executable).parent / "union-assistant"
TOKEN, APP_ID = "bench-token", "wxbench0000000000"

# Questions a worker in the free-trade zone might send, written for this benchmark.
QUESTIONS = [
    "老板三个月没发工资怎么办", "试用期被辞退有补偿吗", "公司不给交社保我可以辞职吗", "加班费到底怎么算",
    "周末加班只给调休合法吗", "怀孕了公司要给我调岗降薪怎么办", "上班路上骑电动车摔了算工伤吗",
    "入职半年了还没签劳动合同能要双倍工资吗", "合同到期公司不续签有没有补偿", "公司搬到滨海新区另一头我不想去有补偿吗",
    "年假没休完能折成工资吗", "请病假工资怎么发", "劳务派遣的和正式工工资不一样合法吗", "送外卖路上被车撞了谁负责",
    "公司逼我自己辞职怎么办", "公司扣着我的身份证不还", "入职让交500块押金合法吗", "竞业限制没给补偿我还要遵守吗",
    "一天干十二个小时合法吗", "产假一共有多少天", "老婆生孩子我有陪产假吗", "结婚能请几天婚假",
    "工伤认定要多长时间", "劳动仲裁怎么申请", "欠薪过了一年还能去仲裁吗", "公司让签自愿放弃社保的协议有效吗",
    "天津最低工资是多少", "上夜班有没有补贴", "夏天高温在外面干活有高温费吗", "单位拖欠工资可以找哪个部门",
    "退休返聘的人受伤算工伤吗", "实习的时候受伤了怎么办", "离职证明公司不给开怎么办", "辞职要提前多久跟公司说",
    "公司不批我辞职怎么办", "年终奖离职了还能拿吗", "把我调到很远的仓库可以拒绝吗", "工资条上扣了一笔钱不知道是什么",
    "公司说我旷工三天就开除我合法吗", "被开除了能拿失业金吗", "加班到凌晨回家路上出事算工伤吗", "在码头装卸受伤了工伤怎么报",
    "保安一个月只休两天合法吗", "公司拖着不给报工伤怎么办", "医疗期有多长", "不定时工作制还有加班费吗",
]
SMALL_TALK = ["你好", "谢谢", "帮助", "怎么加入工会", "附近有没有职工服务站"]
MENU_KEYS = ["LEGAL", "DISPUTE", "EVENTS", "STATIONS", "JOIN"]
PLACES = [(39.0352, 117.7905), (39.0120, 117.7140), (39.1240, 117.3920), (39.0860, 117.6990)]


@dataclass
class Sender:
    """WeChat's side: a pool of followers sending a realistic mix, every message with its own MsgId."""

    platform: WeChatPlatform
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    users: list[str] = field(default_factory=lambda: [f"o{n:027d}" for n in range(1, 501)])

    def next_message(self) -> tuple[dict[str, str], bytes]:
        user, roll = self.rng.choice(self.users), self.rng.random()
        if roll < 0.82:
            xml = self.platform.text_xml(user, self.rng.choice(QUESTIONS))
        elif roll < 0.90:
            xml = self.platform.text_xml(user, self.rng.choice(SMALL_TALK))
        elif roll < 0.95:
            xml = self.platform.event_xml(user, "CLICK", self.rng.choice(MENU_KEYS), create_time=self._unique_time())
        else:
            xml = self.platform.location_xml(user, *self.rng.choice(PLACES))
        return self.platform.request(xml, user)

    def _unique_time(self) -> int:
        """Events are keyed by sender + CreateTime; a real click never repeats within the same second."""
        return int(time.time()) - self.rng.randrange(10**6)


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    failures: int = 0
    success_only: int = 0
    elapsed: float = 0.0

    def check(self, platform: WeChatPlatform) -> None:
        """After the clock stops: every reply must verify and decrypt; `success` means the answer came late."""
        for body in self.bodies:
            if body == b"success":
                self.success_only += 1
            elif not platform.open_reply(body):
                self.failures += 1

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        return (f"{name:<8} {len(ordered):>8} {self.failures:>7} {self.success_only:>8} "
                f"{self.throughput:>9.1f} {p50:>8.1f} {p99:>8.1f}")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


class Connection:
    """A minimal HTTP/1.1 keep-alive client: a Python HTTP library would be the bottleneck on a small machine."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, params: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        head = (f"POST {path}?{urlencode(params)} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n")
        writer.write(head.encode() + body)
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        content = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return int(lines[0].split()[1]), content

    async def close(self) -> None:
        if self.streams:
            self.streams[1].close()
            self.streams = None


async def drive(url: str, sender: Sender, count: int | None, duration: float | None, concurrency: int) -> Result:
    result, issued = Result(), 0
    host, port = url.rsplit("//", 1)[1].split(":")
    deadline = time.perf_counter() + duration if duration else None

    async def worker() -> None:
        nonlocal issued
        connection = Connection(host, int(port))
        while (count is None or issued < count) and (deadline is None or time.perf_counter() < deadline):
            issued += 1
            params, body = sender.next_message()
            started = time.perf_counter()
            try:
                status, content = await asyncio.wait_for(connection.post("/wechat", params, body), 30)
            except (OSError, asyncio.IncompleteReadError, ValueError, asyncio.TimeoutError):
                result.failures += 1
                await connection.close()
                continue
            result.latencies.append(time.perf_counter() - started)
            if status == 200:
                result.bodies.append(content)
            else:
                result.failures += 1
        await connection.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - began
    result.check(sender.platform)
    return result


def ceiling_app():
    """The least a WeChat endpoint does: check the signature, read the message, echo it as a passive reply."""
    from fastapi import FastAPI, Request, Response
    from wechatpy import create_reply, parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.utils import check_signature

    token, aes_key = os.environ["WECHAT_TOKEN"], os.environ.get("WECHAT_AES_KEY", "")
    crypto = WeChatCrypto(token, aes_key, os.environ["WECHAT_APP_ID"]) if aes_key else None
    app = FastAPI()

    @app.post("/wechat")
    async def echo(request: Request) -> Response:
        query, body = request.query_params, await request.body()
        if crypto:
            xml = crypto.decrypt_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
        else:
            check_signature(token, query["signature"], query["timestamp"], query["nonce"])
            xml = body
        message = parse_message(xml)
        reply = create_reply(getattr(message, "content", None) or message.type, message, render=True)
        return Response(crypto.encrypt_message(reply, query["nonce"]) if crypto else reply, media_type="application/xml")

    return app


def start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("w") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/wechat", timeout=1).status_code in (403, 405):
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def prepare(data_dir: Path, env: dict[str, str], laws: Path | None) -> str:
    if laws and laws.is_dir():
        subprocess.run([str(EXE), "kb", "import", str(laws)], env=env, check=True, capture_output=True)
        return f"cards + statutes from {laws}"
    subprocess.run([str(EXE), "index", "build"], env=env, check=True, capture_output=True)
    return "bundled cards only"


def measure(name: str, command: list[str], env: dict[str, str], port: int, args) -> Result:
    log = Path(env["DATA_DIR"]) / f"{name}.log"
    process = start(command, env, port, log)
    try:
        platform = WeChatPlatform(TOKEN, APP_ID, env.get("WECHAT_AES_KEY", ""))
        url = f"http://127.0.0.1:{port}"
        asyncio.run(drive(url, Sender(platform, random.Random(1)), args.warmup, None, args.concurrency))
        return asyncio.run(drive(url, Sender(platform), args.messages, args.duration, args.concurrency))
    finally:
        process.terminate()
        process.wait(timeout=30)
        errors = [line for line in log.read_text().splitlines() if " ERROR " in line or "Traceback" in line]
        if errors:
            print(f"{name}: {len(errors)} error lines in the server log, e.g. {errors[0]}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000, help="messages per endpoint (ignored with --duration)")
    parser.add_argument("--duration", type=float, help="seconds per endpoint instead of a fixed count")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers for both servers")
    parser.add_argument("--mode", choices=["safe", "plain"], default="safe")
    parser.add_argument("--laws", type=Path, default=ROOT.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--postgres", metavar="SERVER_URL", help="a PostgreSQL server for a scratch database "
                        "(default: SQLite in the temporary DATA_DIR)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wechat-load-") as scratch, ExitStack() as stack:
        database_url = ""
        if args.postgres:
            database_url = stack.enter_context(scratch_database(args.postgres, "wechat_load"))
        env = os.environ | {
            "DATA_DIR": scratch, "DATABASE_URL": database_url, "EMBEDDING_MODEL": "", "LOG_LEVEL": "WARNING",
            "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID,
            "WECHAT_AES_KEY": new_aes_key() if args.mode == "safe" else "",
        }
        knowledge = prepare(Path(scratch), env, args.laws)
        app_port, ceiling_port = free_port(), free_port()
        serve = [str(EXE), "serve", "--port", str(app_port), "--workers", str(args.workers)]
        bare = [sys.executable, "-m", "uvicorn", "wechat_load:ceiling_app", "--factory", "--port", str(ceiling_port),
                "--workers", str(args.workers), "--log-level", "warning", "--no-access-log", "--app-dir", str(ROOT / "bench")]
        ceiling = measure("ceiling", bare, env, ceiling_port, args)
        app = measure("app", serve, env, app_port, args)

    amount = f"{args.duration:.0f} s" if args.duration else f"{args.messages} messages"
    print(f"WeChat load: {amount} per endpoint, {args.concurrency} concurrent senders, {args.mode} mode, "
          f"{args.workers} worker(s), {os.cpu_count()} CPUs; knowledge: {knowledge}")
    print(f"{'endpoint':<8} {'messages':>8} {'failed':>7} {'success':>8} {'msg/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    print(ceiling.line("ceiling"))
    print(app.line("app"))
    ratio = app.throughput / ceiling.throughput if ceiling.throughput else 0.0
    print(f"app/ceiling throughput {ratio:.2f} (target >= 0.50: {'met' if ratio >= 0.5 else 'missed'}); "
          f"app p99 {app.p99_ms:.0f} ms (target < 500: {'met' if app.p99_ms < 500 else 'missed'})")


if __name__ == "__main__":
    main()
