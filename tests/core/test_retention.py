"""Old personal data is pruned by age, on SQLite and PostgreSQL, and the app's own timer does it."""

import time
from datetime import timedelta

from sqlalchemy import func, select

from api.app import create_app
from core import idempotency, webchat
from core.db import Database
from core.idempotency import InboundMessage
from core.clock import utcnow
from core.retention import Retention, prune
from core.transcript import Author, ChatLine, record_line
from core.webchat import WebMessage
from support.knowledge import FIXTURE_CARDS, make_settings
from support.server import serving

RETENTION = Retention(transcripts=timedelta(days=30), claims=timedelta(hours=48))


def rows(database: Database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_prune_deletes_what_is_older_than_its_retention(db: Database) -> None:
    with db.session() as session:
        record_line(session, "wechat", "u1", Author.WORKER, "以前说的话")
    webchat.post(db, "w" * 32, "以前的消息")
    idempotency.claim(db, "wechat:1")
    assert prune(db, RETENTION) == {"transcript_lines": 0, "web_messages": 0, "inbound_claims": 0}
    three_days_on = utcnow() + timedelta(days=3)
    pruned = prune(db, RETENTION, now=three_days_on)
    assert pruned == {"transcript_lines": 0, "web_messages": 0, "inbound_claims": 1}
    assert prune(db, RETENTION, now=utcnow() + timedelta(days=31)) == {
        "transcript_lines": 1, "web_messages": 1, "inbound_claims": 0
    }
    assert rows(db, ChatLine) == rows(db, WebMessage) == rows(db, InboundMessage) == 0


def test_the_app_prunes_on_its_own(fixture_kb, tmp_path) -> None:
    settings = make_settings(fixture_kb.private_data_dir(), cards_dir=FIXTURE_CARDS,
                             database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}",
                             transcript_retention_days=30, inbound_retention_hours=1,
                             retention_interval_seconds=0.1)
    app = create_app(settings)
    with serving(app):
        database = app.state.services.database
        with database.session() as session:
            old, older = utcnow() - timedelta(hours=2), utcnow() - timedelta(days=31)
            session.add(ChatLine(channel="web", user_id="u", author="worker", text="旧", created_at=older))
            session.add(ChatLine(channel="web", user_id="u", author="worker", text="新"))
            session.add(InboundMessage(key="wechat:old", status="answered", created_at=old))
        deadline = time.monotonic() + 10
        while (rows(database, ChatLine), rows(database, InboundMessage)) != (1, 0):
            assert time.monotonic() < deadline, "not pruned within 10 s"
            time.sleep(0.05)
        with database.session() as session:
            assert session.scalars(select(ChatLine.text)).all() == ["新"]
            assert session.scalars(select(InboundMessage.key)).all() == []
