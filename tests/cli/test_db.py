"""`db backup`, `db restore` and `db upgrade` as an operator runs them: a backup restored into a fresh
database holds every row of every table, on SQLite and on PostgreSQL."""

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.exc import OperationalError

from core import idempotency, webchat
from core.audit import audit
from core.consultations import record_consultation
from core.db import Database
from core.events import Event, Registrant, register
from core.clock import utcnow
from core.members import Application, apply
from core.transcript import Author, record_line
from core.users import Role, create_user
from knowledge.importer import import_statutes
from support.cases import assigned_case
from support.knowledge import FIXTURE_LAWS
from support.postgres import scratch_database

EXE = Path(sys.executable).parent / "union-assistant"


def run(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"DATA_DIR": str(tmp_path), "DATABASE_URL": database_url}
    return subprocess.run([str(EXE), "db", *args], env=env, capture_output=True, text=True, timeout=300)


def fill(database: Database) -> None:
    """A little of everything the app stores."""
    import_statutes(database, [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"])
    assigned_case(database, "wechat", "oBackupWorker000000000000001", "wang", "王调解")
    with database.write_session() as session:
        apply(session, Application("web", "w" * 32, "周师傅", "13900001111", employer="示例公司"))
        event = Event(title="普法讲座", starts_at=utcnow() + timedelta(days=3), capacity=2, place="工人文化宫")
        session.add(event)
        session.flush()
        for n in range(3):
            register(session, event.id, Registrant("telegram", str(1000 + n), f"工人{n}", f"1370000000{n}"))
        record_line(session, "wechat", "oBackupWorker000000000000001", Author.WORKER, "老板不发工资")
        record_consultation(session, "web", "w" * 32, "试用期被辞退有补偿吗", None, False)
        audit(session, "boss", "members.export", "csv rows=1")
    webchat.post(database, "w" * 32, "调解员回复：请带上工资条", buttons=[{"label": "好的", "payload": "好的"}])
    idempotency.claim(database, "wechat:msg:42")
    idempotency.finish(database, "wechat:msg:42", idempotency.ClaimState.ANSWERED, [{"text": "收到"}])


def everything(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (alembic_version included), in primary-key order."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request, tmp_path: Path):
    """The URL of a database that does not exist yet (SQLite) or is empty (PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'fresh.sqlite3'}"
        return
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database(prefix="ua_restore"))
        except OperationalError as error:
            pytest.skip(f"PostgreSQL not reachable: {str(error).splitlines()[0]}")
        yield url


@pytest.fixture
def source(request, fresh_url: str, tmp_path: Path):
    """A filled database of the same kind as the fresh one."""
    if fresh_url.startswith("sqlite"):
        database = Database(f"sqlite:///{tmp_path / 'live.sqlite3'}")
        database.migrate()
        yield database
        database.dispose()
    else:
        yield request.getfixturevalue("postgres_database")


def test_a_backup_restored_into_a_fresh_database_holds_every_row(source: Database, fresh_url: str,
                                                                 tmp_path: Path) -> None:
    fill(source)
    saved = tmp_path / "backups" / "nightly.backup"
    made = run(source.url, tmp_path, "backup", str(saved))
    assert made.returncode == 0, made.stderr
    assert "Backed up to" in made.stdout and saved.stat().st_size > 0

    restored = run(fresh_url, tmp_path, "restore", str(saved), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "Restored from" in restored.stdout and "Database at revision" in restored.stdout
    original, copy = everything(source.url), everything(fresh_url)
    assert set(copy) == set(original) and "alembic_version" in copy
    for table, rows in original.items():
        assert copy[table] == rows, table
    assert sum(map(len, copy.values())) > 20

    restored_db = Database(fresh_url)  # the app can go on writing: ids carry on after the restored ones
    try:
        with restored_db.session() as session:
            assert create_user(session, "after", "long enough", Role.MEDIATOR).id == 2
    finally:
        restored_db.dispose()


def test_sqlite_backup_is_consistent_while_the_app_writes(database: Database, tmp_path: Path) -> None:
    fill(database)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            with database.session() as session:
                record_line(session, "web", "w" * 32, Author.WORKER, "还在聊天")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = run(database.url, tmp_path, "backup", str(tmp_path / "online.sqlite3"))
    finally:
        stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(tmp_path / "online.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM chat_lines").fetchone()[0] >= 1


def test_restore_refuses_what_is_not_a_backup_and_upgrade_reports_the_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    refused = run(url, tmp_path, "restore", str(junk), "--yes")
    assert refused.returncode == 1 and "is not a SQLite backup" in refused.stderr
    missing = run(url, tmp_path, "restore", str(tmp_path / "nothing"), "--yes")
    assert missing.returncode == 1 and "no backup at" in missing.stderr
    upgraded = run(url, tmp_path, "upgrade")
    assert upgraded.returncode == 0 and upgraded.stdout.startswith("Database at revision 00")
