"""Personal data kept only as long as configured: a timer inside the app deletes old chat transcripts,
web-chat outbox messages and inbound-message claims (whose remembered replies can name the worker).

Each round is deletes by age, so several app workers can all run it; a restart loses nothing.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from core import idempotency
from core.db import Database
from core.clock import utcnow
from core.settings import Settings
from core.transcript import ChatLine
from core.webchat import WebMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retention:
    transcripts: timedelta
    claims: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> "Retention":
        return cls(
            transcripts=timedelta(days=settings.transcript_retention_days),
            claims=timedelta(hours=settings.inbound_retention_hours),
        )


def prune(database: Database, retention: Retention, now: datetime | None = None) -> dict[str, int]:
    """Delete what is older than its retention; how many rows of each kind went."""
    now = now or utcnow()
    cutoff = now - retention.transcripts
    with database.session() as session:
        lines = session.execute(delete(ChatLine).where(ChatLine.created_at < cutoff)).rowcount or 0
        outbox = session.execute(delete(WebMessage).where(WebMessage.created_at < cutoff)).rowcount or 0
    claims = idempotency.forget_old(database, now, keep=retention.claims)
    return {"transcript_lines": lines, "web_messages": outbox, "inbound_claims": claims}


class RetentionJob:
    """Prunes once at start and then every `interval` seconds, on a thread of its own."""

    def __init__(self, database: Database, retention: Retention, interval: float) -> None:
        self.database = database
        self.retention = retention
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Settings, database: Database) -> "RetentionJob":
        return cls(database, Retention.from_settings(settings), settings.retention_interval_seconds)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            try:
                pruned = prune(self.database, self.retention)
                if any(pruned.values()):
                    log.info("pruned old personal data: %s", pruned)
            except Exception:  # the timer must survive a bad round (database restart)
                log.exception("retention round failed; retrying in %.0f s", self.interval)
            if self._stop.wait(self.interval):
                return
