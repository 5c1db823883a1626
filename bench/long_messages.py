"""Long messages: how long a signed WeChat text of 1k, 10k, 33k and 40k characters takes to answer, and
how slow `/healthz` gets meanwhile (polled every 50 ms while the message is in flight).

    python bench/long_messages.py                 # Chinese text (the costly case for segmentation)
    python bench/long_messages.py --ascii         # pasted Latin text, numbers and punctuation

The app runs as `union-assistant serve` (one worker, SQLite, lexical index from the bundled cards and,
when ../shared/corpus/laws exists, the statute corpus) in a temporary DATA_DIR, in plain mode and with
WECHAT_MAX_BODY_BYTES raised so that even 40k Chinese characters reach the engine: the body cap is not
what is measured here. Each length is sent three times (fresh MsgIds); the slowest is printed.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from wechat_load import APP_ID, EXE, QUESTIONS, TOKEN, prepare, start  # noqa: E402

sys.path.insert(0, str(ROOT.parent / "tests"))
from support.server import free_port  # noqa: E402
from support.wechat_simulator import WeChatPlatform  # noqa: E402

LENGTHS = (1_000, 10_000, 33_000, 40_000)
LATIN = "Overtime 3x; wage 4500 yuan/month, paid late since 2026-03 (see attached list) ... "


def long_text(length: int, rng: random.Random, latin: bool) -> str:
    """A worker pasting their whole story (or a log): questions run together until `length` characters."""
    parts: list[str] = []
    size = 0
    while size < length:
        part = LATIN if latin else rng.choice(QUESTIONS) + "，"
        parts.append(part)
        size += len(part)
    return "".join(parts)[:length]


async def health_while(url: str, done: asyncio.Event) -> list[float]:
    """Latencies of /healthz polled every 50 ms until `done`."""
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while not done.is_set():
            began = time.perf_counter()
            await client.get("/healthz")
            latencies.append(time.perf_counter() - began)
            await asyncio.sleep(0.05)
    return latencies


async def one(url: str, platform: WeChatPlatform, text: str) -> tuple[float, float, str]:
    """Seconds to the passive reply, the worst /healthz latency meanwhile, and the reply's start."""
    params, body = platform.request(platform.text_xml("o" + "b" * 27, text))
    done = asyncio.Event()
    poller = asyncio.create_task(health_while(url, done))
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        began = time.perf_counter()
        response = await client.post("/wechat", params=params, content=body)
        elapsed = time.perf_counter() - began
    done.set()
    health = await poller
    reply = platform.open_reply(response.content)
    shown = reply.get("Content", "") if reply else response.content.decode()
    return elapsed, max(health, default=0.0), shown.replace("\n", " ")[:30]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ascii", action="store_true", help="Latin text instead of Chinese")
    parser.add_argument("--laws", type=Path, default=ROOT.parent.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="long-messages-") as scratch:
        env = os.environ | {
            "DATA_DIR": scratch, "DATABASE_URL": "", "EMBEDDING_MODEL": "", "LOG_LEVEL": "WARNING",
            "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_AES_KEY": "",
            "WECHAT_MAX_BODY_BYTES": str(1024 * 1024),
        }
        knowledge = prepare(Path(scratch), env, args.laws)
        port = free_port()
        process = start([str(EXE), "serve", "--port", str(port)], env, port, Path(scratch) / "app.log")
        url = f"http://127.0.0.1:{port}"
        platform = WeChatPlatform(TOKEN, APP_ID, "")
        try:
            asyncio.run(one(url, platform, "你好"))  # warm: first search loads the index
            idle = [asyncio.run(one(url, platform, "加班费怎么算"))[1] for _ in range(3)]
            print(f"Long WeChat texts ({'Latin' if args.ascii else 'Chinese'}), knowledge: {knowledge}; "
                  f"/healthz during a short question: {statistics.median(idle) * 1000:.0f} ms")
            print(f"{'chars':>7} {'answer s':>9} {'healthz max ms':>15}  reply starts")
            for length in LENGTHS:
                runs = [asyncio.run(one(url, platform, long_text(length, rng, args.ascii)))
                        for _ in range(args.repeat)]
                slowest = max(runs)
                print(f"{length:>7} {slowest[0]:>9.2f} {max(r[1] for r in runs) * 1000:>15.0f}  {slowest[2]}")
        finally:
            process.terminate()
            process.wait(timeout=30)
            errors = [line for line in (Path(scratch) / "app.log").read_text().splitlines()
                      if " ERROR " in line or "Traceback" in line]
            if errors:
                print(f"{len(errors)} error lines in the server log, e.g. {errors[0]}", file=sys.stderr)


if __name__ == "__main__":
    main()
