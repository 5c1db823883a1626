"""Two app servers — separate processes, each with its own data directory, sharing only the database —
as several machines behind a load balancer would: a card published through one is answered by the other
within seconds, without a restart, and a rollback takes it away again. PostgreSQL, and SQLite with two
processes on one file."""

from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from support.app_process import app_server, command, environment
from support.console import PASSWORD
from support.console import api_client
from support.kb import ARBITRATION_CARD, ARBITRATION_QUESTION, answered_card, wait_until
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS
from support.postgres import postgres_url

LAWS = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md", FIXTURE_LAWS / "示例调解办法.txt"]


def knowledge_version(url: str) -> int | None:
    return httpx.get(f"{url}/healthz", timeout=10).json()["knowledge_version"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_publish_on_one_server_is_answered_by_the_other(backend: str, tmp_path: Path) -> None:
    with ExitStack() as stack:
        shared_file = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        url = stack.enter_context(postgres_url()) if backend == "postgres" else shared_file
        first, second = (environment(tmp_path / name, url, CARDS_DIR=str(FIXTURE_CARDS)) for name in ("a", "b"))
        for env in (first, second):
            Path(env["DATA_DIR"]).mkdir()
        command(first, "kb", "import", *map(str, LAWS))
        command(first, "user", "create", "--username", "boss", "--role", "admin", "--password-stdin", stdin=PASSWORD)
        one = stack.enter_context(app_server(first))
        other = stack.enter_context(app_server(second))
        wait_until(lambda: knowledge_version(other) == 1)  # the new server builds what is published itself
        assert answered_card(other, ARBITRATION_QUESTION) != "arbitration"

        admin = api_client(one, "boss")
        assert admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "id": "arbitration"}).status_code == 201
        assert admin.post("/api/kb/publish", json={"note": "仲裁"}).json()["version"]["number"] == 2
        wait_until(lambda: answered_card(other, ARBITRATION_QUESTION) == "arbitration")
        assert answered_card(one, ARBITRATION_QUESTION) == "arbitration"
        wait_until(lambda: [(s["knowledge_version"], s["state"]) for s in admin.get("/api/kb/status").json()["servers"]]
                   == [(2, "ready"), (2, "ready")])

        assert admin.post("/api/kb/rollback", json={}).json()["version"]["restores"] == 1
        wait_until(lambda: answered_card(other, ARBITRATION_QUESTION) != "arbitration")
        assert knowledge_version(other) == 3
