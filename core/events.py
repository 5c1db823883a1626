"""Union events and registrations: capacity with an ordered waitlist, deadlines, check-in, reminders.

Registration and cancellation read how many places are taken and then write, so callers run them
in a write-serialised unit (`Database.write_session`) and they lock the event row: under any
concurrency an event never has more confirmed places than its capacity, and the waitlist moves in order.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, func, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.clock import aware, utcnow
from core.db import Base
from core.members import Member

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class EventKind(StrEnum):
    SPORTS = "sports"
    CULTURE = "culture"
    SKILLS = "skills"
    LEGAL_EDUCATION = "legal_education"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"sports": "体育活动", "culture": "文化活动", "skills": "技能竞赛", "legal_education": "普法讲座",
                "other": "其他活动"}[self.value]


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"

    @property
    def label(self) -> str:
        return {"confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消", "checked_in": "已签到"}[self.value]


HOLDING_PLACE = (RegistrationStatus.CONFIRMED, RegistrationStatus.CHECKED_IN)
ACTIVE = (*HOLDING_PLACE, RegistrationStatus.WAITLISTED)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=EventKind.OTHER)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int]
    members_only: Mapped[bool] = mapped_column(default=False)
    registration_deadline: Mapped[datetime | None]
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    registrations: Mapped[list["Registration"]] = relationship(back_populates="event", order_by="Registration.id")

    @property
    def closes_at(self) -> datetime:
        return aware(self.registration_deadline or self.starts_at)

    def open_for_registration(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) < self.closes_at


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        Index(
            "uq_registrations_active",
            "event_id",
            "channel",
            "user_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), index=True)
    code: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    event: Mapped[Event] = relationship(back_populates="registrations")
    member: Mapped[Member | None] = relationship()


class EventError(ValueError):
    """Why a registration cannot happen, in terms a worker can be told."""


class RegistrationClosed(EventError):
    pass


class MembersOnly(EventError):
    pass


class AlreadyRegistered(EventError):
    def __init__(self, registration_id: int) -> None:
        super().__init__("already registered")
        self.registration_id = registration_id


@dataclass(frozen=True)
class Registrant:
    channel: str
    user_id: str
    name: str
    phone: str
    member_id: int | None = None


def _locked_event(session: Session, event_id: int) -> Event:
    event = session.scalar(select(Event).where(Event.id == event_id).with_for_update())
    if event is None:
        raise EventError(f"no event {event_id}")
    return event


def _places_taken(session: Session, event_id: int) -> int:
    query = select(func.count()).where(Registration.event_id == event_id, Registration.status.in_(HOLDING_PLACE))
    return session.scalar(query) or 0


def _new_code(session: Session, event_id: int) -> str:
    taken = set(session.scalars(select(Registration.code).where(Registration.event_id == event_id)))
    while (code := "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))) in taken:
        continue
    return code


def register(session: Session, event_id: int, registrant: Registrant, now: datetime | None = None) -> Registration:
    """Confirmed while places remain, waitlisted after."""
    now = now or utcnow()
    event = _locked_event(session, event_id)
    if not event.open_for_registration(now):
        raise RegistrationClosed("registration has closed")
    if event.members_only and registrant.member_id is None:
        raise MembersOnly("members only")
    existing = session.scalar(
        select(Registration.id).where(
            Registration.event_id == event_id,
            Registration.channel == registrant.channel,
            Registration.user_id == registrant.user_id,
            Registration.status.in_(ACTIVE),
        )
    )
    if existing is not None:
        raise AlreadyRegistered(existing)
    full = _places_taken(session, event_id) >= event.capacity
    registration = Registration(
        event_id=event_id,
        channel=registrant.channel,
        user_id=registrant.user_id,
        member_id=registrant.member_id,
        name=registrant.name,
        phone=registrant.phone,
        status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED,
        code=_new_code(session, event_id),
        created_at=now,
    )
    session.add(registration)
    session.flush()
    return registration


def cancel(session: Session, registration_id: int) -> int | None:
    """Cancel; when a place frees up, the first on the waitlist takes it. Returns the promoted registration id."""
    registration = session.get(Registration, registration_id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        raise EventError("no active registration")
    _locked_event(session, registration.event_id)
    session.refresh(registration)  # its status as of holding the lock
    if registration.status == RegistrationStatus.CANCELLED:
        raise EventError("no active registration")
    if registration.status == RegistrationStatus.CHECKED_IN:
        raise EventError("already checked in")
    freed = registration.status == RegistrationStatus.CONFIRMED
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    session.flush()
    promoted = _promote(session, registration.event_id, 1) if freed else []
    return promoted[0] if promoted else None


def _promote(session: Session, event_id: int, places: int) -> list[int]:
    waiting = session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.id)
        .limit(places)
    )
    promoted = []
    for registration in waiting:
        registration.status, registration.promoted_at = RegistrationStatus.CONFIRMED, utcnow()
        promoted.append(registration.id)
    return promoted


def set_capacity(session: Session, event_id: int, capacity: int) -> list[int]:
    """More places promote from the waitlist in order; fewer never bump anyone already confirmed."""
    if capacity < 1:
        raise EventError("capacity must be at least 1")
    event = _locked_event(session, event_id)
    event.capacity = capacity
    free = capacity - _places_taken(session, event_id)
    return _promote(session, event_id, free) if free > 0 else []


def check_in(session: Session, event_id: int, code: str) -> Registration:
    registration = session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.code == code.strip().upper())
    )
    if registration is None or registration.status not in HOLDING_PLACE:
        raise EventError("no confirmed registration with this code")
    mark_checked_in(registration)
    return registration


def mark_checked_in(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CHECKED_IN:
        return
    if registration.status != RegistrationStatus.CONFIRMED:
        raise EventError("only confirmed registrations can check in")
    registration.status, registration.checked_in_at = RegistrationStatus.CHECKED_IN, utcnow()


def registrations_of_event(session: Session, event_id: int) -> list[Registration]:
    return list(session.scalars(select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)))


def waitlist_position(session: Session, registration: Registration) -> int:
    query = select(func.count()).where(
        Registration.event_id == registration.event_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.id <= registration.id,
    )
    return session.scalar(query) or 0


def places_left(session: Session, event: Event) -> int:
    return max(0, event.capacity - _places_taken(session, event.id))


def upcoming(session: Session, now: datetime | None = None, limit: int = 20) -> list[Event]:
    query = select(Event).where(Event.starts_at > (now or utcnow())).order_by(Event.starts_at).limit(limit)
    return list(session.scalars(query))


def all_events(session: Session) -> list[Event]:
    return list(session.scalars(select(Event).order_by(Event.starts_at.desc())))


def active_registrations_of(session: Session, channel: str, user_id: str, now: datetime | None = None) -> list[Registration]:
    query = (
        select(Registration)
        .join(Event)
        .where(
            Registration.channel == channel,
            Registration.user_id == user_id,
            Registration.status.in_(ACTIVE),
            Event.starts_at > (now or utcnow()),
        )
        .order_by(Event.starts_at)
    )
    return list(session.scalars(query))


def due_reminders(session: Session, lead: timedelta, now: datetime | None = None) -> list[int]:
    """Confirmed registrations whose event starts within `lead` and that have not been reminded."""
    now = now or utcnow()
    query = (
        select(Registration.id)
        .join(Event)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminded_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + lead,
        )
        .order_by(Registration.id)
    )
    return list(session.scalars(query))


def claim_reminder(session: Session, registration_id: int) -> bool:
    """Exactly one process wins the right to send a given reminder, however many run the scheduler."""
    result = session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.reminded_at.is_(None))
        .values(reminded_at=utcnow())
    )
    return result.rowcount == 1
