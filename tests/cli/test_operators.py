"""Operator commands: accounts and the case list, with personal data masked unless revealed (and audited)."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from core.audit import recent
from core.db import Database
from core.tickets import Deadline, Intake, open_ticket
from core.users import authenticate

EXE = Path(sys.executable).parent / "union-assistant"


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = os.environ | {"DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([str(EXE), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


def db(data_dir: Path) -> Database:
    database = Database(f"sqlite:///{data_dir / 'assistant.sqlite3'}")
    database.migrate()
    return database


def test_user_create_with_password_from_stdin(data_dir: Path) -> None:
    result = run(data_dir, "user", "create", "--username", "zhang", "--role", "mediator", "--name", "张调解",
                 "--password-stdin", stdin="a good password\n")
    assert result.returncode == 0, result.stderr
    with db(data_dir).session() as session:
        user = authenticate(session, "zhang", "a good password")
        assert user.role == "mediator" and user.display_name == "张调解"
        assert recent(session)[0].action == "user.create"
    again = run(data_dir, "user", "create", "--username", "zhang", "--role", "admin", "--password-stdin", stdin="x" * 9)
    assert again.returncode == 1 and "exists" in again.stderr
    short = run(data_dir, "user", "create", "--username", "li", "--role", "admin", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least" in short.stderr
    bad_role = run(data_dir, "user", "create", "--username", "li", "--role", "boss", "--password-stdin", stdin="x" * 9)
    assert bad_role.returncode == 2


def test_tickets_list_masks_unless_revealed_and_audits_reveals(data_dir: Path) -> None:
    database = db(data_dir)
    with database.session() as session:
        intake = Intake(
            "wechat", "w", "wages", "示例公司", "两个月没发工资", Decimal("24000"), "13812345678", "晚上", "天津港片区", "王先生"
        )
        number = open_ticket(session, intake, Deadline(1, "Asia/Shanghai")).number
    masked = run(data_dir, "tickets", "list")
    assert number in masked.stdout and "138****5678" in masked.stdout and "13812345678" not in masked.stdout
    rows = json.loads(run(data_dir, "tickets", "list", "--json", "--status", "new").stdout)
    assert rows[0]["number"] == number and rows[0]["phone"] == "138****5678"
    assert rows[0]["amount_claimed"] == "24000.00" and rows[0]["worker_name"] == "王**"
    assert "两个月" not in rows[0]["description"]
    revealed = json.loads(run(data_dir, "tickets", "list", "--json", "--reveal").stdout)
    assert revealed[0]["phone"] == "13812345678" and revealed[0]["description"] == "两个月没发工资"
    assert revealed[0]["worker_name"] == "王先生"
    with database.session() as session:
        assert recent(session)[0].action == "tickets.reveal"
    assert run(data_dir, "tickets", "list", "--status", "closed").stdout.strip() == "No cases."
