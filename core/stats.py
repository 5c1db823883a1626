"""The figures the federation reports each year, per local month and for the whole year.

- consultations: questions the assistant answered (`core.consultations`), by the month they were asked;
- received: cases opened in the month; closed, mediated, withdrawn and the amount recovered: by the month the
  case was closed;
- success rate: mediated ÷ (closed − withdrawn). A withdrawn case was never decided, so it counts neither way.

Months are calendar months in local time: a case opened at 00:30 on 1 March in Tianjin is a March case.
"""

from dataclasses import dataclass, fields
from itertools import pairwise
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from core.clock import local, zone_named
from core.consultations import Consultation
from core.tickets import Outcome, Status, Ticket

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Figures:
    consultations: int = 0
    received: int = 0
    closed: int = 0
    mediated: int = 0
    withdrawn: int = 0
    amount_recovered: Decimal = Decimal("0.00")

    @property
    def decided(self) -> int:
        """Closed cases that count for the success rate: all but the withdrawn."""
        return self.closed - self.withdrawn

    @property
    def success_rate(self) -> float | None:
        return self.mediated / self.decided if self.decided else None

    @property
    def amount_wan(self) -> Decimal:
        """The amount in 万元, as the federation reports it."""
        return (self.amount_recovered / TEN_THOUSAND).quantize(CENT)

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class YearReport:
    year: int
    months: tuple[Figures, ...]  # January first

    @property
    def total(self) -> Figures:
        return sum(self.months, Figures())


def month_bounds(year: int, zone: str) -> list[tuple[datetime, datetime]]:
    """The UTC start and end of each local calendar month of the year."""
    here = zone_named(zone)
    starts = [datetime(year, month, 1, tzinfo=here) for month in range(1, 13)]
    starts.append(datetime(year + 1, 1, 1, tzinfo=here))
    utc = [start.astimezone(timezone.utc) for start in starts]
    return list(pairwise(utc))


def year_report(session: Session, year: int, zone: str) -> YearReport:
    bounds = month_bounds(year, zone)
    months = [Figures(consultations=count) for count in _consultations_by_month(session, bounds)]
    for created_at in session.scalars(_within(select(Ticket.created_at), Ticket.created_at, bounds)):
        months[_month(created_at, zone) - 1] += Figures(received=1)
    closed = select(Ticket.closed_at, Ticket.outcome, Ticket.amount_recovered)
    closed = closed.where(Ticket.status == Status.CLOSED)
    for closed_at, outcome, amount in session.execute(_within(closed, Ticket.closed_at, bounds)):
        months[_month(closed_at, zone) - 1] += Figures(
            closed=1,
            mediated=int(outcome == Outcome.MEDIATED),
            withdrawn=int(outcome == Outcome.WITHDRAWN),
            amount_recovered=amount or Decimal("0.00"),
        )
    return YearReport(year, tuple(months))


def cases_of_year(session: Session, year: int, zone: str) -> list[Ticket]:
    """The cases opened in the year, oldest first, with their mediators (for the export)."""
    query = select(Ticket).options(selectinload(Ticket.assignee)).order_by(Ticket.created_at, Ticket.id)
    return list(session.scalars(_within(query, Ticket.created_at, month_bounds(year, zone))))


def first_year(session: Session, zone: str) -> int | None:
    """The local year of the oldest case or consultation, where the year picker starts."""
    candidates = (select(func.min(Ticket.created_at)), select(func.min(Consultation.created_at)))
    oldest = [moment for moment in map(session.scalar, candidates) if moment is not None]
    return min(local(moment, zone).year for moment in oldest) if oldest else None


def _consultations_by_month(session: Session, bounds: list[tuple[datetime, datetime]]) -> list[int]:
    """Counted in the database: there are far more questions than cases."""
    column = Consultation.created_at
    counts = [func.sum(case((and_(column >= lo, column < hi), 1), else_=0)) for lo, hi in bounds]
    return [int(count or 0) for count in session.execute(_within(select(*counts), column, bounds)).one()]


def _within(query, column, bounds: list[tuple[datetime, datetime]]):
    return query.where(column >= bounds[0][0], column < bounds[-1][1])


def _month(moment: datetime, zone: str) -> int:
    return local(moment, zone).month
