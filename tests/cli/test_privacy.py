"""`privacy export` and `privacy erase` as an operator runs them, on data a worker left through real chats,
on SQLite and PostgreSQL: everything about the worker comes out, then nothing of it is left but the
anonymised records the annual figures count."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.engine import build_engine
from core.messages import Channel
from core import idempotency
from core.audit import AuditEntry
from core.db import Base, Database
from core.events import Event
from core.clock import utcnow
from core.stats import year_report
from core.tickets import Outcome, Ticket, close
from core.users import Role, create_user
from support.knowledge import make_settings
from support.transcript import Transcript

EXE = Path(sys.executable).parent / "union-assistant"
PHONE = "13812345678"
OPENID = "oWorkerOpenid0000000000000AB"
BYSTANDER = "oBystanderOpenid00000000000CD"
ZONE = "Asia/Shanghai"


def run(database: Database, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"DATA_DIR": str(tmp_path), "DATABASE_URL": database.url, "TIMEZONE": ZONE}
    return subprocess.run([str(EXE), "privacy", *args], env=env, capture_output=True, text=True, timeout=120)


def everything_stored(database: Database) -> str:
    """Every value in every table, as one text to search."""
    with database.session() as session:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(table.select())
        )


def chat_as(database: Database, assistant, tmp_path: Path, user: str, channel: Channel) -> Transcript:
    engine = build_engine(make_settings(tmp_path, timezone=ZONE), database, assistant)
    return Transcript(engine, user, channel)


def leave_traces(database: Database, assistant, tmp_path: Path, user: str, phone: str, name: str,
                 employer: str) -> None:
    """A worker asks, files a case, joins the union and signs up for an event, all in chat."""
    chat = chat_as(database, assistant, tmp_path, user, Channel.WECHAT)
    chat.say("单位拖着不发工资怎么办")
    assert "你的案件编号是 WQ" in "".join(
        chat.say(text) for text in ("维权求助", "欠薪", employer, f"今年三月起{employer}没发工资，欠了两个月",
                                    "2万", name, phone, "工作日晚上", "东疆", "同意", "确认提交")
    )
    assert "审核后会把会员服务卡号发给你" in "".join(
        chat.say(text) for text in ("入会", "在单位上班", name, phone, employer, "同意", "确认提交")
    )
    chat.say("活动报名")
    chat.press("职工羽毛球赛")
    chat.press("我要报名")
    chat.say(name)
    chat.say(phone)
    chat.say("同意")
    assert "报名成功" in chat.say("确认提交")


@pytest.fixture
def web_user(db: Database, assistant, tmp_path: Path) -> str:
    """The worker's traces, and a bystander's; the worker's web-chat session id."""
    with db.session() as session:
        event = Event(title="职工羽毛球赛", starts_at=utcnow() + timedelta(days=10), capacity=30, place="体育馆")
        session.add(event)
    leave_traces(db, assistant, tmp_path, OPENID, PHONE, "王小明", "天津示例物流有限公司")
    leave_traces(db, assistant, tmp_path, BYSTANDER, "13987654321", "李大力", "天津样板机械厂")
    # The same worker again from the web chat, giving the same phone number to sign up.
    web = chat_as(db, assistant, tmp_path, "w" * 32, Channel.WEB)
    web.say("活动报名")
    web.press("职工羽毛球赛")
    web.press("我要报名")
    web.say("王小明")
    web.say(PHONE)
    web.say("同意")
    assert "报名成功" in web.say("确认提交")
    # A WeChat retry claim whose remembered reply repeats the phone number.
    assert idempotency.claim(db, "wechat:msg:1")
    idempotency.finish(db, "wechat:msg:1", idempotency.ClaimState.ANSWERED, [{"text": f"手机：{PHONE}"}])
    return web.user


def test_export_then_erase_leaves_nothing_but_the_figures(db: Database, web_user: str, tmp_path: Path):
    exported = run(db, tmp_path, "export", "--phone", "138 1234 5678")
    assert exported.returncode == 0, exported.stderr
    held = json.loads(exported.stdout)
    assert held["phones"] == [PHONE]
    identities = {(i["channel"], i["user_id"]) for i in held["chat_identities"]}
    assert identities == {("wechat", OPENID), ("web", web_user)}
    assert [m["phone"] for m in held["members"]] == [PHONE]
    assert [(c["phone"], c["employer"]) for c in held["cases"]] == [(PHONE, "天津示例物流有限公司")]
    assert held["cases"][0]["history"][0]["kind"] == "created"
    assert sorted(r["channel"] for r in held["registrations"]) == ["web", "wechat"]
    assert any("不发工资" in line["text"] for line in held["transcript"])
    assert [q["question"] for q in held["questions"]] == ["单位拖着不发工资怎么办"]
    assert len(held["remembered_replies"]) == 1 and held["conversations"]
    by_openid = json.loads(run(db, tmp_path, "export", "--openid", OPENID).stdout)
    assert by_openid["phones"] == [PHONE] and len(by_openid["registrations"]) == 2, "linked through the phone"

    refused = run(db, tmp_path, "erase", "--phone", PHONE, "--yes")
    assert refused.returncode == 1 and "open cases WQ" in refused.stderr
    with db.session() as session:
        admin = create_user(session, "admin", "long enough", Role.ADMIN)
        ticket = session.scalars(select(Ticket).where(Ticket.phone == PHONE)).one()
        close(ticket, Outcome.MEDIATED, None, "已调解", admin)
        number, year = ticket.number, ticket.created_at.year
    with db.session() as session:
        figures = year_report(session, year, ZONE)
    assert PHONE in everything_stored(db)

    erased = run(db, tmp_path, "erase", "--phone", PHONE, "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "members=1" in erased.stdout and "registrations=2" in erased.stdout

    stored = everything_stored(db)
    for trace in (PHONE, OPENID, web_user, "王小明", "天津示例物流有限公司"):
        assert trace not in stored, trace
    for trace in ("13987654321", BYSTANDER, "李大力", "天津样板机械厂"):
        assert trace in stored, "nobody else is touched"
    with db.session() as session:
        assert year_report(session, year, ZONE) == figures, "the annual figures still count the case"
        kept = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert (kept.outcome, kept.category, kept.area) == (Outcome.MEDIATED, "wages", "天津港片区")
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action.like("privacy.%"))).all()
    assert [a.action for a in audits] == ["privacy.export", "privacy.export", "privacy.erase"]
    assert all(a.actor.startswith("cli:") for a in audits) and "phone 138****5678" in audits[-1].detail
    again = json.loads(run(db, tmp_path, "export", "--phone", PHONE).stdout)
    assert again["members"] == again["cases"] == again["registrations"] == again["transcript"] == []


def test_bad_requests_are_refused_clearly(database: Database, tmp_path: Path) -> None:
    both = run(database, tmp_path, "export", "--phone", PHONE, "--openid", OPENID)
    assert both.returncode == 2 and "exactly one of --phone and --openid" in both.stderr
    wrong = run(database, tmp_path, "erase", "--phone", "12345")
    assert wrong.returncode == 2 and "not a mainland mobile number" in wrong.stderr
    unconfirmed = subprocess.run(
        [str(EXE), "privacy", "erase", "--phone", PHONE], input="n\n", capture_output=True, text=True,
        timeout=120, env=os.environ | {"DATA_DIR": str(tmp_path), "DATABASE_URL": database.url},
    )
    assert unconfirmed.returncode == 1 and "Aborted" in unconfirmed.stderr
