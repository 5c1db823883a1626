"""Dispute cases handed from chat to human mediators: lifecycle, history, deadlines, ratings.

Every change goes through a function here and leaves a TicketChange (who, when, from, to, note),
so the history a mediator or an auditor reads is complete by construction.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ColumnElement, ForeignKey, Numeric, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from core.clock import aware, utcnow
from core.db import Base
from core.users import User
from core.validation import parse_mobile
from core.worktime import working_deadline


class Category(StrEnum):
    WAGES = "wages"
    DISMISSAL = "dismissal"
    WORK_INJURY = "work_injury"
    SOCIAL_INSURANCE = "social_insurance"
    OVERTIME = "overtime"
    CONTRACT = "contract"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.WAGES: "欠薪",
    Category.DISMISSAL: "解除劳动合同",
    Category.WORK_INJURY: "工伤",
    Category.SOCIAL_INSURANCE: "社会保险",
    Category.OVERTIME: "加班",
    Category.CONTRACT: "劳动合同",
    Category.OTHER: "其他",
}


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_MEDIATION = "in_mediation"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"new": "待受理", "assigned": "已分派", "in_mediation": "调解中", "closed": "已结案"}[self.value]


class Outcome(StrEnum):
    MEDIATED = "mediated"
    FAILED = "failed"
    ARBITRATION = "arbitration"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"mediated": "调解成功", "failed": "调解不成", "arbitration": "转仲裁（调裁结合）", "withdrawn": "撤回"}[
            self.value
        ]


OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_MEDIATION)
MIN_PHONE_DIGITS = 4  # fewer digits match too many phones to mean one


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    worker_name: Mapped[str | None] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(24), index=True)
    employer: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    amount_claimed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    phone: Mapped[str] = mapped_column(String(20))
    contact_time: Mapped[str] = mapped_column(String(100))
    area: Mapped[str | None] = mapped_column(String(50), index=True)
    consent_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), index=True, default=Status.NEW)
    outcome: Mapped[str | None] = mapped_column(String(16))
    amount_recovered: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    first_response_due: Mapped[datetime]
    first_responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rated_at: Mapped[datetime | None]

    assignee: Mapped[User | None] = relationship()
    changes: Mapped[list["TicketChange"]] = relationship(
        back_populates="ticket", order_by="TicketChange.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and self.first_responded_at is None and aware(self.first_response_due) < (now or utcnow())


class ChangeKind(StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    STATUS = "status"
    NOTE = "note"
    REPLY = "reply"
    REPLY_FAILED = "reply_failed"
    WORKER_MESSAGE = "worker_message"
    INFO_ADDED = "info_added"
    HANDOFF = "handoff"
    HANDBACK = "handback"
    RATING = "rating"


class TicketChange(Base):
    """One entry of a case's history. The table keeps its first name, from before union events existed."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ticket: Mapped[Ticket] = relationship(back_populates="changes")


class TicketError(ValueError):
    """A change the lifecycle does not allow; the message says why."""


WORKER = "worker"
SYSTEM = "system"


@dataclass(frozen=True)
class Intake:
    channel: str
    user_id: str
    category: Category
    employer: str
    description: str
    amount_claimed: Decimal | None
    phone: str
    contact_time: str
    area: str | None
    worker_name: str | None = None


@dataclass(frozen=True)
class Deadline:
    """The first response is due at the close of a working day, so what the worker is promised and what the
    console flags as overdue are one moment."""

    working_days: int
    zone: str
    holidays: frozenset[date] = frozenset()
    ends: time = time(17)

    def due(self, start: datetime) -> datetime:
        return working_deadline(start, self.working_days, self.zone, self.holidays, self.ends)


def _change(ticket: Ticket, kind: ChangeKind, actor: User | None, text: str | None = None, to: str | None = None) -> None:
    ticket.changes.append(
        TicketChange(
            kind=kind,
            actor_id=actor.id if actor else None,
            actor=actor.display_name if actor else (WORKER if kind in WORKER_KINDS else SYSTEM),
            from_status=ticket.status if to else None,
            to_status=to,
            text=text,
        )
    )


WORKER_KINDS = {ChangeKind.CREATED, ChangeKind.WORKER_MESSAGE, ChangeKind.INFO_ADDED, ChangeKind.RATING}


def open_ticket(session: Session, intake: Intake, deadline: Deadline) -> Ticket:
    """The worker gave consent in the intake; the case number is derived from the row id, so it is unique."""
    now = utcnow()
    ticket = Ticket(
        channel=intake.channel,
        user_id=intake.user_id,
        worker_name=intake.worker_name,
        category=intake.category,
        employer=intake.employer,
        description=intake.description,
        amount_claimed=intake.amount_claimed,
        phone=intake.phone,
        contact_time=intake.contact_time,
        area=intake.area,
        consent_at=now,
        status=Status.NEW,
        created_at=now,
        first_response_due=deadline.due(now),
    )
    session.add(ticket)
    session.flush()
    ticket.number = f"WQ{now.year}-{ticket.id:05d}"
    _change(ticket, ChangeKind.CREATED, None, to=Status.NEW)
    ticket.changes[-1].from_status = None
    return ticket


def _require_open(ticket: Ticket) -> None:
    if not ticket.is_open:
        raise TicketError(f"case {ticket.number} is closed")


def assign(ticket: Ticket, mediator: User, actor: User) -> None:
    """Claiming is assigning to oneself."""
    _require_open(ticket)
    if not mediator.active:
        raise TicketError(f"{mediator.username} is not active")
    target = Status.ASSIGNED if ticket.status == Status.NEW else Status(ticket.status)
    note = f"分派给 {mediator.display_name}" if mediator.id != actor.id else "认领"
    _change(ticket, ChangeKind.ASSIGNED, actor, note, to=target)
    ticket.assignee_id, ticket.assignee, ticket.status = mediator.id, mediator, target


def start_mediation(ticket: Ticket, actor: User) -> None:
    _require_open(ticket)
    if ticket.assignee_id is None:
        raise TicketError(f"case {ticket.number} has no mediator yet")
    if ticket.status == Status.IN_MEDIATION:
        return
    _change(ticket, ChangeKind.STATUS, actor, to=Status.IN_MEDIATION)
    ticket.status = Status.IN_MEDIATION
    _first_response(ticket)


def close(ticket: Ticket, outcome: Outcome, amount_recovered: Decimal | None, note: str, actor: User) -> None:
    _require_open(ticket)
    if amount_recovered is not None and amount_recovered < 0:
        raise TicketError("the amount recovered cannot be negative")
    text = f"{Outcome(outcome).label}" + (f"，挽回金额 {amount_recovered} 元" if amount_recovered else "") + (f"：{note}" if note else "")
    _change(ticket, ChangeKind.STATUS, actor, text, to=Status.CLOSED)
    ticket.status, ticket.outcome, ticket.closed_at = Status.CLOSED, Outcome(outcome), utcnow()
    ticket.amount_recovered = amount_recovered if amount_recovered is not None else Decimal("0")


def add_note(ticket: Ticket, actor: User, text: str) -> None:
    """Internal: never shown to the worker."""
    _change(ticket, ChangeKind.NOTE, actor, text.strip())


def record_reply(ticket: Ticket, actor: User, text: str, error: str | None = None) -> None:
    if error is None:
        _change(ticket, ChangeKind.REPLY, actor, text)
        _first_response(ticket)
    else:
        _change(ticket, ChangeKind.REPLY_FAILED, actor, f"{error}：{text}")


def record_worker_message(ticket: Ticket, text: str, added_info: bool = False) -> None:
    _change(ticket, ChangeKind.INFO_ADDED if added_info else ChangeKind.WORKER_MESSAGE, None, text)


def record_handoff(ticket: Ticket, actor: User | None, taken: bool) -> None:
    text = "调解员接管对话" if taken else ("调解员交还给小助手" if actor else "调解员长时间未回复，小助手恢复应答")
    _change(ticket, ChangeKind.HANDOFF if taken else ChangeKind.HANDBACK, actor, text)


def rate(ticket: Ticket, score: int) -> None:
    if ticket.is_open:
        raise TicketError("only closed cases are rated")
    if not 1 <= score <= 5:
        raise TicketError("a rating is 1 to 5")
    ticket.rating, ticket.rated_at = score, utcnow()
    _change(ticket, ChangeKind.RATING, None, f"{score} 分")


def _first_response(ticket: Ticket) -> None:
    if ticket.first_responded_at is None:
        ticket.first_responded_at = utcnow()


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    category: Category | None = None
    area: str | None = None
    overdue: bool = False
    assignee_id: int | None = None
    open_only: bool = False
    text: str | None = None  # what a mediator types to find a case: see `matching`


def matching(text: str) -> ColumnElement[bool]:
    """A case whose number, employer or worker's name contains the text, or whose phone ends with the digits
    typed (the whole number as written down, with spaces, dashes or +86, or just its last four digits)."""
    text = text.strip()
    found = [Ticket.number.icontains(text, autoescape=True), Ticket.employer.icontains(text, autoescape=True),
             Ticket.worker_name.icontains(text, autoescape=True)]
    digits = parse_mobile(text) or re.sub(r"[\s\-]", "", text)
    if len(digits) >= MIN_PHONE_DIGITS and digits.isdigit():
        found.append(Ticket.phone.endswith(digits, autoescape=True))
    return or_(*found)


def queue(session: Session, filters: QueueFilter = QueueFilter(), limit: int = 500) -> list[Ticket]:
    """Oldest first: the longest-waiting worker is served first."""
    query = select(Ticket).options(selectinload(Ticket.assignee)).order_by(Ticket.created_at, Ticket.id)
    if filters.status:
        query = query.where(Ticket.status == filters.status)
    elif filters.open_only or filters.overdue:
        query = query.where(Ticket.status.in_(OPEN))
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.area:
        query = query.where(Ticket.area == filters.area)
    if filters.assignee_id:
        query = query.where(Ticket.assignee_id == filters.assignee_id)
    if filters.overdue:
        query = query.where(Ticket.first_responded_at.is_(None), Ticket.first_response_due < utcnow())
    if filters.text and filters.text.strip():
        query = query.where(matching(filters.text))
    return list(session.scalars(query.limit(limit)))


def open_load(session: Session) -> dict[int, int]:
    """Open cases per mediator, shown when assigning."""
    rows = session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.status.in_(OPEN), Ticket.assignee_id.is_not(None))
        .group_by(Ticket.assignee_id)
    )
    return {assignee: count for assignee, count in rows}


def tickets_of(session: Session, channel: str, user_id: str) -> list[Ticket]:
    query = select(Ticket).where(Ticket.channel == channel, Ticket.user_id == user_id).order_by(Ticket.id.desc())
    return list(session.scalars(query))


def find_ticket(session: Session, number_or_id: str | int) -> Ticket | None:
    if isinstance(number_or_id, int) or str(number_or_id).isdigit():
        return session.get(Ticket, int(number_or_id))
    return session.scalar(select(Ticket).where(Ticket.number == str(number_or_id).upper()))


def ratings_by_mediator(session: Session) -> dict[int, tuple[float, int]]:
    rows = session.execute(
        select(Ticket.assignee_id, func.avg(Ticket.rating), func.count(Ticket.rating))
        .where(Ticket.rating.is_not(None), Ticket.assignee_id.is_not(None))
        .group_by(Ticket.assignee_id)
    )
    return {assignee: (float(average), count) for assignee, average, count in rows}
