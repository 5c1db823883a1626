"""Events and registrations: capacity, waitlist order, deadlines, check-in and reminders — under load too."""

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from core.clock import utcnow
from core.db import Database
from core.events import (
    AlreadyRegistered,
    Event,
    EventError,
    MembersOnly,
    Registration,
    RegistrationClosed,
    RegistrationStatus,
    cancel,
    check_in,
    claim_reminder,
    due_reminders,
    registrations_of_event,
    set_capacity,
    waitlist_position,
)
from support.rush import enrol, person, register_batch


def new_event(database: Database, capacity: int = 50, **fields) -> int:
    with database.session() as session:
        event = Event(title="职工羽毛球赛", starts_at=utcnow() + timedelta(days=7), capacity=capacity, **fields)
        session.add(event)
        session.flush()
        return event.id


def withdraw(database: Database, registration_id: int) -> int | None:
    with database.write_session() as session:
        return cancel(session, registration_id)


def statuses(database: Database, event_id: int) -> list[tuple[str, str]]:
    with database.session() as session:
        return [(r.user_id, r.status) for r in registrations_of_event(session, event_id)]


def test_200_concurrent_registrations_for_50_places(db: Database) -> None:
    event_id = new_event(db, capacity=50)
    shares = [list(range(start, 200, 4)) for start in range(4)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(register_batch, [(db.url, event_id, share) for share in shares])
    assert len({i for share in results for i in share}) == 200
    rows = statuses(db, event_id)
    assert [s for _, s in rows].count("confirmed") == 50
    assert [s for _, s in rows].count("waitlisted") == 150
    first_waitlisted = next(i for i, (_, s) in enumerate(rows) if s == "waitlisted")
    assert all(s == "confirmed" for _, s in rows[:first_waitlisted]), "places go to the earliest registrations"

    with db.session() as session:
        registrations = registrations_of_event(session, event_id)
        confirmed = [r.id for r in registrations if r.status == "confirmed"]
        waiting = [r.id for r in registrations if r.status == "waitlisted"]
    promoted = [withdraw(db, registration_id) for registration_id in confirmed[:10]]
    assert promoted == waiting[:10], "cancellations promote the waitlist in order"
    with db.session() as session:
        assert waitlist_position(session, session.get(Registration, waiting[10])) == 1
    rows = statuses(db, event_id)
    assert [s for _, s in rows].count("confirmed") == 50 and [s for _, s in rows].count("cancelled") == 10


def test_concurrent_cancellations_never_overfill(db: Database) -> None:
    event_id = new_event(db, capacity=5)
    ids = [enrol(db, event_id, person(n)) for n in range(15)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        promoted = list(pool.map(lambda i: withdraw(db, i), ids[:5]))
    assert sorted(promoted) == ids[5:10]
    assert [s for _, s in statuses(db, event_id)].count("confirmed") == 5


def test_no_double_registration_and_re_registration_after_cancel(database: Database) -> None:
    event_id = new_event(database, capacity=2)
    first = enrol(database, event_id, person(1))
    with pytest.raises(AlreadyRegistered) as raised:
        enrol(database, event_id, person(1))
    assert raised.value.registration_id == first
    withdraw(database, first)
    with pytest.raises(EventError):
        withdraw(database, first)
    again = enrol(database, event_id, person(1))
    assert again != first


def test_deadline_and_members_only(database: Database) -> None:
    closed = new_event(database, registration_deadline=utcnow() - timedelta(minutes=1))
    with pytest.raises(RegistrationClosed):
        enrol(database, closed, person(1))
    members_only = new_event(database, members_only=True)
    with pytest.raises(MembersOnly):
        enrol(database, members_only, person(1))


def test_more_capacity_promotes_from_the_waitlist(database: Database) -> None:
    event_id = new_event(database, capacity=1)
    ids = [enrol(database, event_id, person(n)) for n in range(4)]
    with database.write_session() as session:
        assert set_capacity(session, event_id, 3) == ids[1:3]
        assert set_capacity(session, event_id, 1) == []
    assert [s for _, s in statuses(database, event_id)] == ["confirmed", "confirmed", "confirmed", "waitlisted"]


def test_check_in_by_code(database: Database) -> None:
    event_id = new_event(database, capacity=1)
    confirmed = enrol(database, event_id, person(1))
    waiting = enrol(database, event_id, person(2))
    with database.session() as session:
        code = session.get(Registration, confirmed).code
        waiting_code = session.get(Registration, waiting).code
        assert check_in(session, event_id, code.lower()).status == RegistrationStatus.CHECKED_IN
        with pytest.raises(EventError):
            check_in(session, event_id, waiting_code)
        with pytest.raises(EventError):
            check_in(session, event_id, "ZZZZZZ")


def test_reminders_are_due_once_and_claimed_once(database: Database) -> None:
    soon = new_event(database)
    with database.session() as session:
        session.get(Event, soon).starts_at = utcnow() + timedelta(hours=2)
    later = new_event(database)
    due_id = enrol(database, soon, person(1))
    enrol(database, later, person(2))
    with database.session() as session:
        assert due_reminders(session, timedelta(hours=24)) == [due_id]
        assert claim_reminder(session, due_id) is True
    with database.session() as session:
        assert claim_reminder(session, due_id) is False
        assert due_reminders(session, timedelta(hours=24)) == []
