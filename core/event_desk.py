"""Event changes that workers must hear about: a waitlist place becoming free, and reminders."""

import logging
from datetime import timedelta

from core.clock import local
from core.db import Database
from core.events import Registration, cancel, claim_reminder, due_reminders, set_capacity
from core.messages import Channel, Reply
from core.outbound import DeliveryError, Outbound
from core.wording import render

log = logging.getLogger(__name__)


class EventDesk:
    def __init__(self, database: Database, outbound: Outbound, zone: str) -> None:
        self.database = database
        self.outbound = outbound
        self.zone = zone

    def cancel(self, registration_id: int) -> int | None:
        """Cancel a registration; whoever is promoted from the waitlist is told."""
        with self.database.write_session() as session:
            promoted = cancel(session, registration_id)
        if promoted is not None:
            self._tell(promoted, "event_promoted.j2")
        return promoted

    def set_capacity(self, event_id: int, capacity: int) -> list[int]:
        with self.database.write_session() as session:
            promoted = set_capacity(session, event_id, capacity)
        for registration_id in promoted:
            self._tell(registration_id, "event_promoted.j2")
        return promoted

    def send_reminders(self, lead: timedelta) -> int:
        """Each due reminder is claimed before it is sent, so it goes out once across all processes."""
        sent = 0
        with self.database.session() as session:
            due = due_reminders(session, lead)
        for registration_id in due:
            with self.database.session() as session:
                if not claim_reminder(session, registration_id):
                    continue
            if self._tell(registration_id, "event_reminder.j2"):
                sent += 1
        return sent

    def tell_promoted(self, registration_ids: list[int]) -> None:
        """For promotions that happened inside someone else's unit of work (a chat turn)."""
        for registration_id in registration_ids:
            self._tell(registration_id, "event_promoted.j2")

    def _tell(self, registration_id: int, template: str) -> bool:
        with self.database.session() as session:
            registration = session.get(Registration, registration_id)
            event = registration.event
            starts = local(event.starts_at, self.zone)
            text = render(
                template, title=event.title, place=event.place, starts=f"{starts:%m月%d日 %H:%M}", code=registration.code
            )
            channel, user_id = registration.channel, registration.user_id
        try:
            self.outbound.send(Channel(channel), user_id, Reply(text))
        except DeliveryError as error:
            log.warning("event notice for registration %s failed: %s", registration_id, error.reason)
            return False
        return True
