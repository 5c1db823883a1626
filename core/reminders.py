"""Event reminders on a timer inside the app; state lives in the database, so restarts lose nothing
and several app workers can all run it (each reminder is claimed once)."""

import logging
import threading
from datetime import timedelta

from core.event_desk import EventDesk

log = logging.getLogger(__name__)


class ReminderScheduler:
    def __init__(self, desk: EventDesk, lead: timedelta, interval: float) -> None:
        self.desk = desk
        self.lead = lead
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="event-reminders", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def run_once(self) -> int:
        sent = self.desk.send_reminders(self.lead)
        if sent:
            log.info("sent %d event reminders", sent)
        return sent

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:  # the timer must survive a bad round (database restart, network)
                log.exception("reminder round failed; retrying in %.0f s", self.interval)
