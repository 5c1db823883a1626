"""The deployment in deploy/, run as far as this machine allows: systemd checks the units, nginx checks its
site and serves it over TLS on loopback, and the app runs exactly as the unit starts it (schema upgrade,
index, several workers on PostgreSQL) behind it; the backup unit's command writes a backup.

Ports, paths and the certificate are the only things changed, and each substitution must hit.
"""

import os
import re
import shlex
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from core.audit import LOGIN_FAILED, AuditEntry
from support.knowledge import FIXTURE_CARDS
from support.postgres import postgres_url
from support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALL = "/opt/union-assistant"
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"

needs_nginx = pytest.mark.skipif(shutil.which("nginx") is None, reason="no nginx (`make tools` installs it)")


def substituted(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in the deployment file"
        text = text.replace(old, new)
    return text


def unit(name: str) -> dict[str, list[str]]:
    """A unit file's settings, each key with its values in order (ExecStartPre may repeat); continued lines
    are joined, as systemd joins them."""
    settings: dict[str, list[str]] = {}
    text = (DEPLOY / "systemd" / name).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def command(line: str, port: int) -> list[str]:
    """An Exec line as the unit runs it, with the app installed here and listening on `port`."""
    line = line.lstrip("+-").replace("%%", "%").replace(f"{INSTALL}/.venv/bin/", f"{VENV_BIN}/")
    line = line.replace("--port 8000", f"--port {port}").replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    return shlex.split(line)


def environment(overrides: dict[str, str]) -> dict[str, str]:
    """The unit's EnvironmentFile (deploy/union-assistant.env) over a clean environment, then overrides."""
    [path] = unit("union-assistant.service")["EnvironmentFile"]
    assert path == "/etc/union-assistant/env"
    lines = (DEPLOY / "union-assistant.env").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return keep | values | overrides


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    install = tmp_path / "install"
    (install / ".venv").mkdir(parents=True)
    (install / ".venv" / "bin").symlink_to(VENV_BIN)
    for path in (DEPLOY / "systemd").iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALL, str(install)))
    units = sorted(str(path) for path in tmp_path.glob("union-assistant*"))
    checked = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr


def certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


@contextmanager
def nginx(tmp_path: Path, app_port: int) -> Iterator[tuple[int, int]]:
    """The site on loopback ports (plain, TLS) in front of the app; nginx -t must pass first."""
    plain, tls = free_port(), free_port()
    cert, key = certificate(tmp_path)
    site = substituted((DEPLOY / "nginx" / "union-assistant.conf").read_text(), {
        "    listen 80;\n": f"    listen 127.0.0.1:{plain};\n",
        "    listen [::]:80;\n": "",
        "    listen 443 ssl http2;\n": f"    listen 127.0.0.1:{tls} ssl http2;\n",
        "    listen [::]:443 ssl http2;\n": "",
        "/etc/ssl/union-assistant/fullchain.pem": str(cert),
        "/etc/ssl/union-assistant/privkey.pem": str(key),
        "server 127.0.0.1:8000": f"server 127.0.0.1:{app_port}",
    })
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    base = ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    tested = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
    assert tested.returncode == 0 and "syntax is ok" in tested.stderr, tested.stderr
    process = subprocess.Popen([*base, "-g", "daemon off; master_process off;"])
    try:
        wait_for(f"https://127.0.0.1:{tls}/healthz", process, verify=trusting(cert))
        yield plain, tls
    finally:
        process.terminate()
        process.wait(timeout=10)


def trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def wait_for(url: str, process: subprocess.Popen, verify: bool | ssl.SSLContext = True, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2, verify=verify).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up")
        time.sleep(0.2)


@contextmanager
def app_as_the_unit_runs_it(data_dir: Path, database_url: str, port: int, log: Path) -> Iterator[None]:
    """`index build --if-missing` in the unit builds the data directory's own index from the database."""
    service = unit("union-assistant.service")
    env = environment({"DATABASE_URL": database_url, "DATA_DIR": str(data_dir),
                       "CARDS_DIR": str(FIXTURE_CARDS), "EMBEDDING_MODEL": ""})
    for line in service["ExecStartPre"]:
        done = subprocess.run(command(line, port), env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    [start] = service["ExecStart"]
    assert "--workers 4" in start
    with log.open("w") as output:
        process = subprocess.Popen(command(start, port), env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


@needs_nginx
def test_nginx_serves_the_app_started_as_the_unit_starts_it(tmp_path: Path) -> None:
    app_port, log = free_port(), tmp_path / "app.log"
    with postgres_url() as database_url, app_as_the_unit_runs_it(tmp_path / "data", database_url, app_port, log), \
            nginx(tmp_path, app_port) as (plain, tls):
        cert = trusting(tmp_path / "fullchain.pem")
        site = f"https://127.0.0.1:{tls}"
        health = httpx.get(f"{site}/healthz", verify=cert)
        assert health.status_code == 200 and health.json()["database"] == "ok"
        assert "strict-transport-security" in health.headers
        redirect = httpx.get(f"http://127.0.0.1:{plain}/healthz")
        assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")

        too_big = httpx.post(f"{site}/api/chat", json={"text": "长" * 6000}, verify=cert)
        assert too_big.status_code == 413, "the chat's body limit is nginx's"
        def chat(_: int) -> int:
            return httpx.post(f"{site}/api/chat", json={"text": "你好"}, verify=cert).status_code

        with ThreadPoolExecutor(20) as pool:  # one address far faster than a person types
            codes = list(pool.map(chat, range(80)))
        assert 200 in codes and 429 in codes and set(codes) <= {200, 429}

        from_elsewhere = httpx.HTTPTransport(local_address="127.0.0.5", verify=cert)
        worker = httpx.Client(base_url=site, transport=from_elsewhere)
        refused = worker.post("/console/login", data={"username": "nobody", "password": "wrong password"},
                              headers={"X-Forwarded-For": "203.0.113.66"})
        assert refused.status_code == 401
        worker.close()
        engine = create_engine(database_url)
        with engine.connect() as connection:
            failed = select(AuditEntry.detail).where(AuditEntry.action == LOGIN_FAILED)
            [detail] = connection.execute(failed).scalars()
        engine.dispose()
        assert detail == "console from 127.0.0.5", "the client's address as nginx saw it, not what it claimed"
    started = log.read_text()
    assert len(re.findall(r"Started server process", started)) >= 4, started[-2000:]


def test_the_backup_unit_writes_a_backup(tmp_path: Path) -> None:
    service = unit("union-assistant-backup.service")
    [start] = service["ExecStart"]
    database = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    env = environment({"DATABASE_URL": database, "DATA_DIR": str(tmp_path)})
    upgrade = unit("union-assistant.service")["ExecStartPre"][0]  # db upgrade: a database to back up
    subprocess.run(command(upgrade, 8000), env=env, check=True, capture_output=True, timeout=120)
    line = start.replace("/var/backups/union-assistant", str(tmp_path / "backups"))
    (tmp_path / "backups").mkdir()
    done = subprocess.run(command(line, 8000), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [backup] = (tmp_path / "backups").glob("union-*.backup")
    assert re.fullmatch(r"union-\d{8}-\d{6}\.backup", backup.name)
    assert backup.read_bytes().startswith(b"SQLite")
