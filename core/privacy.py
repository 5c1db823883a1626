"""A worker's rights over their personal data (PIPL): everything held about them, and its erasure.

A person is found by phone number or chat user id and followed through what links their records: a member's
channel identities, and the phone numbers and chat identities on their cases, memberships and registrations.
Erasure deletes conversations, transcripts, the web-chat outbox, remembered replies, memberships and
registrations; cases and consultations stay, stripped of everything personal, because the federation's
annual figures count them. A person with an open case is not erased: the case is closed first.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, delete, false, or_, select
from sqlalchemy.orm import Session

from core.consultations import Consultation
from core.conversations import Conversation
from core.events import Registration
from core.idempotency import InboundMessage
from core.members import Member, MemberIdentity
from core.tickets import OPEN, Ticket
from core.transcript import ChatLine
from core.webchat import WebMessage

ERASED = "erased"  # the user id an anonymised case or consultation keeps
ERASED_TEXT = "（已按本人要求删除）"
WEB = "web"


class PrivacyError(ValueError):
    pass


@dataclass
class Person:
    """Phone numbers and (channel, user id) pairs that belong to one person."""

    phones: set[str] = field(default_factory=set)
    identities: set[tuple[str, str]] = field(default_factory=set)

    @property
    def user_ids(self) -> set[str]:
        return {user_id for _, user_id in self.identities}

    def __bool__(self) -> bool:
        return bool(self.phones or self.identities)


def _of(model, identities: set[tuple[str, str]]):
    """Rows of the model whose (channel, user_id) is one of the identities."""
    pairs = [(model.channel == channel) & (model.user_id == user_id) for channel, user_id in identities]
    return or_(*pairs) if pairs else false()


def _mentions(model, person: Person):
    """Rows of the model with one of the person's phones or chat identities."""
    return or_(model.phone.in_(sorted(person.phones)), _of(model, person.identities))


def find_person(session: Session, phone: str | None = None, user_id: str | None = None) -> Person:
    """Everything linked to the phone or chat user id (any channel), followed until nothing new turns up."""
    person = Person({phone} if phone else set(), set())
    user_ids = {user_id} if user_id else set()
    while True:
        before = (len(person.phones), len(person.identities), len(user_ids))
        for model in (Conversation, ChatLine, Ticket, Registration, Consultation, MemberIdentity):
            found = select(model.channel, model.user_id).where(model.user_id.in_(sorted(user_ids)))
            person.identities |= {(channel, user) for channel, user in session.execute(found)}
        outbox = select(WebMessage.user_id).where(WebMessage.user_id.in_(sorted(user_ids)))
        person.identities |= {(WEB, user) for user in session.scalars(outbox)}
        members = _members(session, person)
        person.phones |= {m.phone for m in members}
        person.identities |= {(i.channel, i.user_id) for m in members for i in m.identities}
        for model in (Ticket, Registration):
            linked = select(model.channel, model.user_id, model.phone).where(_mentions(model, person))
            for channel, user, linked_phone in session.execute(linked):
                person.identities.add((channel, user))
                person.phones.add(linked_phone)
        user_ids |= person.user_ids
        if (len(person.phones), len(person.identities), len(user_ids)) == before:
            return person


def _members(session: Session, person: Person) -> list[Member]:
    by_identity = select(MemberIdentity.member_id).where(_of(MemberIdentity, person.identities))
    query = select(Member).where(or_(Member.phone.in_(sorted(person.phones)), Member.id.in_(by_identity)))
    return list(session.scalars(query.order_by(Member.id)))


def _tickets(session: Session, person: Person) -> list[Ticket]:
    return list(session.scalars(select(Ticket).where(_mentions(Ticket, person)).order_by(Ticket.id)))


def _registrations(session: Session, person: Person) -> list[Registration]:
    query = select(Registration).where(_mentions(Registration, person))
    return list(session.scalars(query.order_by(Registration.id)))


def _by_identity(session: Session, model, person: Person) -> list[Any]:
    return list(session.scalars(select(model).where(_of(model, person.identities)).order_by(model.id)))


def _web_messages(session: Session, person: Person) -> list[WebMessage]:
    web = sorted(user for channel, user in person.identities if channel == WEB)
    query = select(WebMessage).where(WebMessage.user_id.in_(web))
    return list(session.scalars(query.order_by(WebMessage.id)))


def _remembered(session: Session, person: Person):
    """Replies kept for platform retries that name the person (a summary repeats the phone number)."""
    needles = person.phones | person.user_ids
    text = cast(InboundMessage.replies, String)
    return or_(*[InboundMessage.key.contains(n, autoescape=True) for n in needles],
               *[text.contains(n, autoescape=True) for n in needles])


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(record: Any, *skip: str) -> dict[str, object]:
    columns = record.__table__.columns.keys()
    return {name: _plain(getattr(record, name)) for name in columns if name not in skip}


def export(session: Session, person: Person) -> dict[str, Any]:
    """Everything held about the person, as plain JSON-ready data."""
    tickets = _tickets(session, person)
    members = _members(session, person)
    return {
        "phones": sorted(person.phones),
        "chat_identities": [{"channel": c, "user_id": u} for c, u in sorted(person.identities)],
        "members": [
            {**_row(m), "identities": [{"channel": i.channel, "user_id": i.user_id} for i in m.identities]}
            for m in members
        ],
        "cases": [
            {**_row(t), "history": [_row(change, "ticket_id") for change in t.changes]} for t in tickets
        ],
        "registrations": [
            {**_row(r), "event": r.event.title, "event_starts_at": _plain(r.event.starts_at)}
            for r in _registrations(session, person)
        ],
        "conversations": [_row(c) for c in _by_identity(session, Conversation, person)],
        "transcript": [_row(line) for line in _by_identity(session, ChatLine, person)],
        "questions": [_row(q) for q in _by_identity(session, Consultation, person)],
        "web_messages": [_row(m) for m in _web_messages(session, person)],
        "remembered_replies": [
            _row(m) for m in session.scalars(select(InboundMessage).where(_remembered(session, person)))
        ] if person else [],
    }


def erase(session: Session, person: Person) -> dict[str, int]:
    """Delete or anonymise everything held about the person; how many records of each kind."""
    tickets = _tickets(session, person)
    still_open = [t.number for t in tickets if t.status in OPEN]
    if still_open:
        raise PrivacyError(f"open cases {', '.join(still_open)}: close them before erasing this person")
    counts = {"cases_anonymised": _anonymise_cases(tickets)}
    questions = _by_identity(session, Consultation, person)
    for question in questions:
        question.user_id, question.question = ERASED, ERASED_TEXT
    counts["questions_anonymised"] = len(questions)
    counts["registrations"] = _delete(session, _registrations(session, person))
    counts["members"] = _delete(session, _members(session, person))
    counts["conversations"] = _delete(session, _by_identity(session, Conversation, person))
    counts["transcript_lines"] = _delete(session, _by_identity(session, ChatLine, person))
    counts["web_messages"] = _delete(session, _web_messages(session, person))
    remembered = delete(InboundMessage).where(_remembered(session, person))
    counts["remembered_replies"] = session.execute(remembered).rowcount if person else 0
    return counts


def _anonymise_cases(tickets: Iterable[Ticket]) -> int:
    """What the figures count stays (category, area, dates, outcome, amounts, rating); who and what go."""
    count = 0
    for ticket in tickets:
        ticket.user_id, ticket.worker_name, ticket.phone, ticket.contact_time = ERASED, None, "", ""
        ticket.employer, ticket.description = "", ERASED_TEXT
        for change in ticket.changes:
            if change.text:
                change.text = ERASED_TEXT
        count += 1
    return count


def _delete(session: Session, records: list[Any]) -> int:
    for record in records:
        session.delete(record)
    session.flush()
    return len(records)
