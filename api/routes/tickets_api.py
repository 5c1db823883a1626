"""`/api/tickets`: the dispute cases for mediators' and admins' own tools — the queue, a case with its
history, and the console's actions. Bearer token from `POST /api/auth/token`.

The rules are the console's, from `core.casework`: a mediator claims an unassigned case, admins assign to
anyone; replying, starting and closing are for the case's mediator or an admin. A change the
lifecycle does not allow is 409 with the reason; a case that does not exist is 404.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.deps import CaseworkDep, DatabaseDep
from api.schemas.errors import UNPARSABLE, refused
from api.schemas.ids import Id
from api.schemas.tickets import (
    MAX_SEARCH,
    SEARCH,
    AssignIn,
    ChangeOut,
    ClosedOut,
    CloseIn,
    DeliveryOut,
    NoteIn,
    QueueStatus,
    ReplyIn,
    TicketDetailOut,
    TicketOut,
    queue_filter,
)
from api.security import ApiUser, CsrfChecked
from core.casework import NoSuchCase, Refused, budget_of
from core.conversations import find_conversation
from core.db import Database
from core.tickets import Category, Ticket, TicketError, queue

ERRORS = {
    401: refused("No or an expired bearer token"),
    403: refused("Not this user's case, an admin's action, or a console cookie without the CSRF header"),
    404: refused("No such case"),
    409: refused("The lifecycle does not allow this now (the detail says why)"),
}
router = APIRouter(prefix="/api/tickets", tags=["tickets"], responses={**UNPARSABLE, 401: ERRORS[401]})
ACTION = {code: ERRORS[code] for code in (403, 404, 409)}


@contextmanager
def answering() -> Iterator[None]:
    """Domain refusals as HTTP answers."""
    try:
        yield
    except NoSuchCase:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such case") from None
    except Refused as reason:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(reason)) from None
    except TicketError as reason:
        raise HTTPException(status.HTTP_409_CONFLICT, str(reason)) from None


def _ticket(database: Database, ticket_id: int) -> TicketOut:
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NoSuchCase(ticket_id)
        return TicketOut.of(ticket)


@router.get("", response_model=list[TicketOut])
def list_tickets(
    user: ApiUser,
    database: DatabaseDep,
    state: Annotated[QueueStatus, Query(alias="status")] = QueueStatus.OPEN,
    category: Category | None = None,
    area: Annotated[str | None, Query(max_length=50)] = None,
    overdue: bool = False,
    assignee_id: Id | None = None,
    q: Annotated[str | None, Query(max_length=MAX_SEARCH, description=SEARCH)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> list[TicketOut]:
    """Cases oldest first; by default the open ones (`status=all` for every case)."""
    with database.session() as session:
        tickets = queue(session, queue_filter(state, category, area, overdue, assignee_id, q), limit)
        return [TicketOut.of(ticket) for ticket in tickets]


@router.get("/{ticket_id}", response_model=TicketDetailOut, responses={404: ERRORS[404]})
def get_ticket(ticket_id: Id, user: ApiUser, database: DatabaseDep) -> TicketDetailOut:
    """A case with the worker's contact details, its WeChat message budget and its whole history."""
    with answering(), database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NoSuchCase(ticket_id)
        budget = budget_of(ticket.channel, find_conversation(session, ticket.channel, ticket.user_id))
        return TicketDetailOut.with_history(ticket, budget)


@router.post("/{ticket_id}/assign", response_model=TicketOut, responses=ACTION, dependencies=[CsrfChecked])
def assign_ticket(
    ticket_id: Id, body: AssignIn, user: ApiUser, database: DatabaseDep, casework: CaseworkDep
) -> TicketOut:
    """Without `mediator_id` the caller claims the case; only admins assign to someone else."""
    with answering():
        casework.assign(ticket_id, user.id, body.mediator_id)
        return _ticket(database, ticket_id)


@router.post("/{ticket_id}/start", response_model=TicketOut, responses=ACTION, dependencies=[CsrfChecked])
def start_ticket(ticket_id: Id, user: ApiUser, database: DatabaseDep, casework: CaseworkDep) -> TicketOut:
    with answering():
        casework.start(ticket_id, user.id)
        return _ticket(database, ticket_id)


@router.post("/{ticket_id}/close", response_model=ClosedOut, responses=ACTION, dependencies=[CsrfChecked])
def close_ticket(
    ticket_id: Id, body: CloseIn, user: ApiUser, database: DatabaseDep, casework: CaseworkDep
) -> ClosedOut:
    """Close with the outcome; the conversation goes back to the bot, which asks the worker for a rating."""
    with answering():
        request = casework.close(ticket_id, user.id, body.outcome, body.amount_recovered, body.note)
        return ClosedOut(ticket=_ticket(database, ticket_id), rating_request=DeliveryOut.model_validate(request))


@router.post(
    "/{ticket_id}/notes",
    response_model=ChangeOut,
    status_code=status.HTTP_201_CREATED,
    responses={code: ERRORS[code] for code in (403, 404)},
    dependencies=[CsrfChecked],
)
def add_ticket_note(ticket_id: Id, body: NoteIn, user: ApiUser, casework: CaseworkDep) -> ChangeOut:
    """An internal note, never shown to the worker."""
    with answering():
        return ChangeOut.model_validate(casework.note(ticket_id, user.id, body.text))


@router.post("/{ticket_id}/reply", response_model=DeliveryOut, responses=ACTION, dependencies=[CsrfChecked])
def reply_to_worker(
    ticket_id: Id, body: ReplyIn, user: ApiUser, casework: CaseworkDep
) -> DeliveryOut:
    """Send through the worker's channel. `delivered: false` says why (e.g. WeChat's 48-hour budget is spent);
    the conversation is the mediator's until handed back."""
    with answering():
        return DeliveryOut.model_validate(casework.reply(ticket_id, user.id, body.text))
