"""Dispute cases over the REST API (`/api/tickets`): what goes in and what comes out."""

from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.ids import BodyId
from api.schemas.times import Moment
from core.casework import Budget
from core.tickets import Category, Outcome, QueueFilter, Status, Ticket


class QueueStatus(StrEnum):
    """A status, or `open` (new, assigned, in mediation: the default) or `all`."""

    OPEN = "open"
    ALL = "all"
    NEW = Status.NEW.value
    ASSIGNED = Status.ASSIGNED.value
    IN_MEDIATION = Status.IN_MEDIATION.value
    CLOSED = Status.CLOSED.value


MAX_SEARCH = 100
SEARCH = "Case number, employer or worker's name (any part), or phone (the whole number or its last 4 digits)"


def queue_filter(
    state: QueueStatus,
    category: Category | None,
    area: str | None,
    overdue: bool,
    assignee_id: int | None,
    text: str | None = None,
) -> QueueFilter:
    """The queue's query parameters, the console's and the API's alike, as the domain's filter."""
    return QueueFilter(
        status=None if state in (QueueStatus.OPEN, QueueStatus.ALL) else Status(state),
        category=category,
        area=area or None,
        overdue=overdue,
        assignee_id=assignee_id,
        open_only=state == QueueStatus.OPEN,
        text=text or None,
    )


class MediatorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str


class TicketOut(BaseModel):
    """A case as the queue shows it: no contact details."""

    id: int
    number: str
    channel: str
    status: Status
    status_label: str
    category: Category
    category_label: str
    area: str | None
    employer: str
    worker_name: str | None = Field(description="How the worker wishes to be addressed, when they said")
    amount_claimed: Decimal | None
    assignee: MediatorOut | None
    created_at: Moment
    first_response_due: Moment
    first_responded_at: Moment | None
    overdue: bool = Field(description="Open, not yet answered, and past its first-response deadline")
    outcome: Outcome | None
    outcome_label: str | None
    amount_recovered: Decimal | None
    closed_at: Moment | None
    rating: int | None = Field(description="The worker's satisfaction, 1 to 5, once given")

    @classmethod
    def of(cls, ticket: Ticket) -> Self:
        return cls(**cls._fields(ticket))

    @staticmethod
    def _fields(ticket: Ticket) -> dict[str, object]:
        return {
            "id": ticket.id,
            "number": ticket.number or "",
            "channel": ticket.channel,
            "status": Status(ticket.status),
            "status_label": Status(ticket.status).label,
            "category": Category(ticket.category),
            "category_label": Category(ticket.category).label,
            "area": ticket.area,
            "employer": ticket.employer,
            "worker_name": ticket.worker_name,
            "amount_claimed": ticket.amount_claimed,
            "assignee": MediatorOut.model_validate(ticket.assignee) if ticket.assignee else None,
            "created_at": ticket.created_at,
            "first_response_due": ticket.first_response_due,
            "first_responded_at": ticket.first_responded_at,
            "overdue": ticket.overdue(),
            "outcome": Outcome(ticket.outcome) if ticket.outcome else None,
            "outcome_label": Outcome(ticket.outcome).label if ticket.outcome else None,
            "amount_recovered": ticket.amount_recovered,
            "closed_at": ticket.closed_at,
            "rating": ticket.rating,
        }


class ChangeOut(BaseModel):
    """One entry of a case's history: who did what, when, from which status to which."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    actor: str
    from_status: Status | None
    to_status: Status | None
    text: str | None
    created_at: Moment


class BudgetOut(BaseModel):
    """WeChat customer-service messages left in the 48-hour window; `limited` is false on other channels."""

    model_config = ConfigDict(from_attributes=True)

    limited: bool
    remaining: int
    window_ends: Moment | None


class TicketDetailOut(TicketOut):
    """A case with what a mediator needs to call the worker, and its whole history."""

    description: str
    phone: str
    contact_time: str
    consent_at: Moment
    budget: BudgetOut
    changes: list[ChangeOut]

    @classmethod
    def with_history(cls, ticket: Ticket, budget: Budget) -> Self:
        return cls(
            **cls._fields(ticket),
            description=ticket.description,
            phone=ticket.phone,
            contact_time=ticket.contact_time,
            consent_at=ticket.consent_at,
            budget=BudgetOut.model_validate(budget),
            changes=[ChangeOut.model_validate(change) for change in ticket.changes],
        )


class AssignIn(BaseModel):
    mediator_id: BodyId | None = Field(None, description="Whom to assign; omitted: the caller claims the case")


class CloseIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    outcome: Outcome
    amount_recovered: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="Yuan")
    note: str = Field("", max_length=2000)


class NoteIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=2000, description="Internal: never shown to the worker")


class ReplyIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=2000, description="Sent to the worker through their channel")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    delivered: bool
    reason: str | None = Field(None, description="Why it was not delivered")
    offer_notice: bool = Field(False, description="A template notice can ask the worker to get in touch")


class ClosedOut(BaseModel):
    ticket: TicketOut
    rating_request: DeliveryOut = Field(description="Whether the worker was asked to rate the help")
