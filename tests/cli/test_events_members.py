"""Operator commands for events and members, run as a real process."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.engine import build_engine
from core.clock import aware, utcnow
from core.db import Database
from core.events import Event, Registrant, register
from core.members import Application, apply
from core.users import Role, create_user
from support.knowledge import make_settings
from support.transcript import Transcript

EXE = Path(sys.executable).parent / "union-assistant"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"DATA_DIR": str(data_dir), "TIMEZONE": "Asia/Shanghai"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=60)


def db(data_dir: Path) -> Database:
    database = Database(f"sqlite:///{data_dir / 'assistant.sqlite3'}")
    database.migrate()
    return database


def test_create_list_and_registrations_in_order(tmp_path: Path) -> None:
    start = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    created = run(tmp_path, "events", "create", "--title", "技能竞赛：叉车", "--start", start, "--capacity", "2",
                  "--place", "空港实训基地", "--kind", "skills")
    assert created.returncode == 0, created.stderr
    event_id = int(created.stdout.strip())
    [row] = json.loads(run(tmp_path, "events", "list", "--json").stdout)
    assert (row["id"], row["capacity"], row["members_only"], row["place"], row["kind"]) == (
        event_id, 2, False, "空港实训基地", "skills"
    )
    members_only = run(tmp_path, "events", "create", "--title", "会员日", "--start", start, "--capacity", "9",
                       "--members-only")
    rows = {r["id"]: r for r in json.loads(run(tmp_path, "events", "list", "--json").stdout)}
    assert rows[int(members_only.stdout)]["members_only"] is True
    database = db(tmp_path)
    for n in range(3):
        with database.write_session() as session:
            register(session, event_id, Registrant("web", f"u{n}", f"工人{n}", f"1380000000{n}"))
    listed = json.loads(run(tmp_path, "events", "registrations", str(event_id), "--json").stdout)
    assert [r["status"] for r in listed] == ["confirmed", "confirmed", "waitlisted"]
    assert listed[0]["phone"] == "138****0000"
    assert run(tmp_path, "events", "registrations", "999").returncode == 1


def test_create_rejects_bad_dates(tmp_path: Path) -> None:
    bad = run(tmp_path, "events", "create", "--title", "x", "--start", "next tuesday", "--capacity", "5")
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr
    backwards = run(tmp_path, "events", "create", "--title", "x", "--start", "2030-01-02T10:00",
                    "--end", "2030-01-01T10:00", "--capacity", "5")
    assert backwards.returncode == 2 and "after the start" in backwards.stderr


def test_members_list_and_approve(tmp_path: Path) -> None:
    database = db(tmp_path)
    with database.session() as session:
        member, _ = apply(session, Application("web", "u1", "周师傅", "13900001111", employer="示例公司"))
        member_id = member.id
    assert run(tmp_path, "members", "approve", str(member_id)).returncode == 1  # no admin yet
    with database.session() as session:
        create_user(session, "admin", "long enough", Role.ADMIN)
    rows = json.loads(run(tmp_path, "members", "list", "--status", "pending", "--json").stdout)
    assert [(r["id"], r["phone"]) for r in rows] == [(member_id, "139****1111")]
    approved = run(tmp_path, "members", "approve", str(member_id))
    assert approved.returncode == 0 and "TJ" in approved.stdout
    assert run(tmp_path, "members", "approve", str(member_id)).returncode == 1
    [found] = json.loads(run(tmp_path, "members", "list", "--json", "--search", "周").stdout)
    assert found["status"] == "approved" and found["number"].startswith("TJ")


def test_a_start_without_offset_is_local_time_and_chat_shows_it_so(tmp_path: Path, assistant) -> None:
    created = run(tmp_path, "events", "create", "--title", "普法讲座", "--start", "2027-03-01T10:00",
                  "--deadline", "2027-02-28T18:00+08:00", "--capacity", "30")
    assert created.returncode == 0, created.stderr
    with db(tmp_path).session() as session:
        event = session.get(Event, int(created.stdout))
        assert aware(event.starts_at) == datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc)
        assert aware(event.registration_deadline) == datetime(2027, 2, 28, 10, 0, tzinfo=timezone.utc)
    [row] = json.loads(run(tmp_path, "events", "list", "--json").stdout)
    assert (row["start"], row["deadline"]) == ("2027-03-01T10:00:00+08:00", "2027-02-28T18:00:00+08:00")
    settings = make_settings(tmp_path, timezone="Asia/Shanghai")
    chat = Transcript(build_engine(settings, db(tmp_path), assistant), user="tz-worker")
    assert "03月01日 10:00" in chat.say("活动报名")
