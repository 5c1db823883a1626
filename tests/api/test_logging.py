"""Personal data in log lines, as a real server writes them: masked, and every line left whole."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

from core.logs import mask, mask_user_id
from support.knowledge import FIXTURE_CARDS
from support.server import free_port

EXE = Path(sys.executable).parent / "union-assistant"
PHONE = "13812345678"
OPENID = "oAbCdEfGhIjKlMnOpQrStUv-_x12"


def environment(fixture_kb, tmp_path: Path) -> dict[str, str]:
    env = os.environ | {
        "DATA_DIR": str(fixture_kb.private_data_dir()),
        "CARDS_DIR": str(FIXTURE_CARDS),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        "EMBEDDING_MODEL": "",
        "LOG_LEVEL": "INFO",
    }
    env.pop("TELEGRAM_TOKEN", None)
    return env


def run_server(command: list[str], env: dict[str, str], port: int, paths: list[str]) -> tuple[str, list[int]]:
    """Start the server, GET each path, stop it with SIGINT; everything it wrote and the status codes."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {process.communicate()[0]}") from None
                time.sleep(0.2)
        codes = [httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10).status_code for path in paths]
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    return output, codes


def test_mask_rules() -> None:
    assert mask(f"call {PHONE} or 110101199003071234, mail zhang.san@example.com") == (
        "call 138****5678 or 1101**********1234, mail z***@example.com"
    )
    assert mask(f"/wechat?openid={OPENID}&nonce=1") == "/wechat?openid=***_x12&nonce=1"
    assert mask_user_id(OPENID) == "***_x12" and mask_user_id(123456789) == "***6789"
    assert mask_user_id("42") == "***"


def test_the_access_log_keeps_one_masked_line_per_request(fixture_kb, tmp_path: Path) -> None:
    port = free_port()
    paths = [f"/healthz?phone={PHONE}", f"/console/members?q={PHONE}", f"/wechat?openid={OPENID}"]
    command = [str(EXE), "serve", "--port", str(port)]
    output, _ = run_server(command, environment(fixture_kb, tmp_path), port, paths)
    assert PHONE not in output and OPENID not in output
    assert "Traceback" not in output and "Logging error" not in output
    [line] = [line for line in output.splitlines() if "/healthz?phone" in line]
    assert '"GET /healthz?phone=138****5678 HTTP/1.1" 200' in line
    assert sum("GET /console/members?q=138****5678" in line for line in output.splitlines()) == 1
    assert sum("GET /wechat?openid=***_x12" in line for line in output.splitlines()) == 1


# A server like `serve`, with routes that fail the ways real code does: an exception carrying a phone number,
# an error logged with its traceback, and a database error whose SQL parameters hold personal data.
FAILING_APP = textwrap.dedent(
    """
    import logging, sys
    import uvicorn
    from fastapi import APIRouter
    from api.app import create_app
    from core.logs import uvicorn_log_config
    from core.members import Member
    from core.clock import utcnow

    router = APIRouter()

    @router.get("/boom")
    def boom():
        raise ValueError("worker {phone} could not be reached")

    @router.get("/logged")
    def logged():
        try:
            {{}}["{phone}"]
        except KeyError:
            logging.getLogger("probe").exception("lookup of %s failed", "{phone}")
        return {{}}

    @router.get("/duplicate")
    def duplicate():
        database = app.state.services.database
        for _ in range(2):
            with database.session() as session:
                session.add(Member(name="张三丰", phone="{phone}", consent_at=utcnow()))

    app = create_app()
    app.include_router(router)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    uvicorn.run(app, port=int(sys.argv[1]), log_config=uvicorn_log_config())
    """
).format(phone=PHONE)


def test_tracebacks_messages_and_sql_parameters_are_masked(fixture_kb, tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-c", FAILING_APP, str(port)]
    paths = ["/boom", "/logged", "/duplicate"]
    output, codes = run_server(command, environment(fixture_kb, tmp_path), port, paths)
    assert codes == [500, 200, 500]
    assert "Exception in ASGI application" in output
    assert "ValueError: worker 138****5678 could not be reached" in output
    assert "lookup of 138****5678 failed" in output and "KeyError: '138****5678'" in output
    assert "IntegrityError" in output and "SQL parameters hidden" in output
    assert PHONE not in output and "张三丰" not in output
    assert "Logging error" not in output
