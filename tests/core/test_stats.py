"""The yearly report figures on a known data set, with cases right at local month and year boundaries,
on SQLite and (where available) PostgreSQL."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import update

from core.consultations import record_consultation
from core.db import Database
from core.stats import Figures, cases_of_year, first_year, month_bounds, year_report
from core.tickets import Category, Deadline, Intake, Outcome, Ticket, assign, close, open_ticket
from core.users import Role, create_user

ZONE = "Asia/Shanghai"  # UTC+8, no daylight saving


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


# (created, closed, outcome, amount): times in UTC; the comments give the local (UTC+8) month.
CASES = {
    "A": (utc(2025, 1, 10, 2), utc(2025, 2, 3, 2), Outcome.MEDIATED, "10000"),  # Jan → closed Feb
    "B": (
        utc(2025, 1, 31, 15, 30),
        utc(2025, 2, 28, 16, 30),
        Outcome.FAILED,
        None,
    ),  # Jan 31 23:30 → Mar 1 00:30
    "C": (utc(2025, 2, 28, 20), utc(2025, 3, 10), Outcome.WITHDRAWN, None),  # Mar 1 04:00 → Mar
    "D": (utc(2025, 3, 5), utc(2025, 3, 20), Outcome.MEDIATED, "5000.50"),
    "E": (utc(2025, 3, 6), utc(2025, 3, 25), Outcome.ARBITRATION, "0"),
    "F": (utc(2024, 12, 31, 17), None, None, None),  # Jan 1 2025 01:00: a 2025 case, still open
    "G": (
        utc(2024, 12, 31, 15),
        utc(2025, 1, 5),
        Outcome.MEDIATED,
        "3000",
    ),  # received in 2024, closed Jan 2025
    "H": (utc(2025, 12, 31, 16, 30), None, None, None),  # Jan 1 2026 00:30: not a 2025 case
}
QUESTIONS = [
    utc(2025, 1, 3),
    utc(2025, 1, 4),
    utc(2025, 1, 31, 17),
    utc(2025, 4, 30, 16, 30),
    utc(2024, 12, 31, 15),
]
#             Jan              Jan              Feb 1 01:00         May 1 00:30          Dec 31 2024 23:00


@pytest.fixture
def data(db: Database) -> Database:
    with db.session() as session:
        mediator = create_user(session, "zhang", "long enough", Role.MEDIATOR, "张调解")
        for name, (created, closed, outcome, amount) in CASES.items():
            ticket = open_ticket(
                session,
                Intake(
                    "web", f"w-{name}", Category.WAGES, name, "拖欠工资", None, "13812345678", "晚上", None
                ),
                Deadline(1, ZONE),
            )
            if closed:
                assign(ticket, mediator, mediator)
                close(ticket, outcome, Decimal(amount) if amount else None, "", mediator)
            session.flush()
            session.execute(
                update(Ticket).where(Ticket.id == ticket.id).values(created_at=created, closed_at=closed)
            )
        for index, asked in enumerate(QUESTIONS):
            consultation = record_consultation(
                session, "web", f"q{index}", "问题", None, confident=index % 2 == 0
            )
            consultation.created_at = asked
    return db


def test_local_months_start_at_local_midnight() -> None:
    bounds = month_bounds(2025, ZONE)
    assert bounds[0] == (utc(2024, 12, 31, 16), utc(2025, 1, 31, 16))
    assert bounds[2][0] == utc(2025, 2, 28, 16) and bounds[-1][1] == utc(2025, 12, 31, 16)
    assert month_bounds(2025, "UTC")[1] == (utc(2025, 2, 1), utc(2025, 3, 1))


def test_the_year_report_counts_each_figure_in_its_local_month(data: Database) -> None:
    with data.session() as session:
        report = year_report(session, 2025, ZONE)
    jan, feb, mar, apr = report.months[:4]
    assert (jan.received, feb.received, mar.received) == (3, 0, 3)  # A, B, F | - | C, D, E
    assert (jan.closed, jan.mediated, jan.amount_recovered) == (1, 1, Decimal("3000.00"))  # G
    assert (feb.closed, feb.mediated, feb.amount_recovered) == (1, 1, Decimal("10000.00"))  # A
    assert (mar.closed, mar.mediated, mar.withdrawn, mar.amount_recovered) == (
        4,
        1,
        1,
        Decimal("5000.50"),
    )  # B C D E
    assert [m.consultations for m in report.months[:5]] == [2, 1, 0, 0, 1]
    assert sum(m.received for m in report.months[3:]) == 0 and apr == Figures()
    total = report.total
    assert (total.consultations, total.received, total.closed, total.mediated, total.withdrawn) == (
        4,
        6,
        6,
        3,
        1,
    )
    assert total.amount_recovered == Decimal("18000.50") and total.amount_wan == Decimal("1.80")
    assert total.success_rate == pytest.approx(3 / 5), "withdrawn cases are left out of the denominator"
    assert mar.success_rate == pytest.approx(1 / 3)
    assert apr.success_rate is None, "no decided cases: no rate rather than 0%"


def test_a_year_is_only_its_own_local_months(data: Database) -> None:
    with data.session() as session:
        earlier = year_report(session, 2024, ZONE)
        later = year_report(session, 2026, ZONE)
        assert [t.employer for t in cases_of_year(session, 2025, ZONE)] == ["F", "A", "B", "C", "D", "E"]
        assert [t.employer for t in cases_of_year(session, 2024, ZONE)] == ["G"]
        assert first_year(session, ZONE) == 2024
    assert (earlier.total.received, earlier.total.closed, earlier.total.consultations) == (1, 0, 1)
    assert earlier.months[11].received == 1
    assert (later.total.received, later.months[0].received) == (1, 1)


def test_an_empty_database_reports_zeros(db: Database) -> None:
    with db.session() as session:
        report = year_report(session, 2025, ZONE)
        assert first_year(session, ZONE) is None
    assert (
        report.total == Figures()
        and report.total.success_rate is None
        and report.total.amount_wan == Decimal("0.00")
    )
    assert len(report.months) == 12
