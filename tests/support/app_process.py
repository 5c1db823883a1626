"""`union-assistant` run as its own process, as an operator runs it: a server on a loopback port, or a
command, each with its own environment (DATA_DIR, DATABASE_URL)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from support.server import free_port

EXE = Path(sys.executable).parent / "union-assistant"


def environment(data_dir: Path, database_url: str = "", **values: str) -> dict[str, str]:
    env = os.environ | {"DATA_DIR": str(data_dir), "EMBEDDING_MODEL": "", "LOG_LEVEL": "WARNING", **values}
    env.pop("DATABASE_URL", None)
    return env | ({"DATABASE_URL": database_url} if database_url else {})


def command(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(EXE), *args], env=env, input=stdin, capture_output=True, text=True, timeout=600, cwd=env["DATA_DIR"]
    )
    if result.returncode != 0:
        raise RuntimeError(f"union-assistant {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result


@contextmanager
def app_server(env: dict[str, str], timeout: float = 120.0) -> Iterator[str]:
    """`union-assistant serve` until the block ends; yields its URL once /healthz answers (with or without
    an index: a new server may have to build its own first)."""
    port = free_port()
    log = Path(env["DATA_DIR"]) / f"serve-{port}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(EXE), "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=env["DATA_DIR"],
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
