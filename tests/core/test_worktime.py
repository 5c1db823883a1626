"""The first-response deadline falls at the close of a working day, local time."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from core.worktime import working_deadline

ZONE = "Asia/Shanghai"
LOCAL = ZoneInfo(ZONE)
NATIONAL_DAY = frozenset({date(2026, 10, d) for d in range(1, 8)})


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL).astimezone(timezone.utc)


@pytest.mark.parametrize(
    ("sent", "due", "holidays"),
    [
        (at(2026, 11, 18, 10), at(2026, 11, 19, 17), frozenset()),  # Wednesday morning → Thursday 17:00
        (at(2026, 11, 18, 3), at(2026, 11, 19, 17), frozenset()),  # 3 a.m. → the next working day, not 3 a.m.
        (at(2026, 11, 18, 23, 59), at(2026, 11, 19, 17), frozenset()),
        (at(2026, 11, 20, 19), at(2026, 11, 23, 17), frozenset()),  # Friday evening → Monday
        (at(2026, 11, 21, 22), at(2026, 11, 23, 17), frozenset()),  # Saturday night → Monday
        (at(2026, 9, 30, 18), at(2026, 10, 8, 17), NATIONAL_DAY),  # before the holiday week → the day after it
        (at(2026, 11, 18, 10), at(2026, 11, 20, 17), frozenset({date(2026, 11, 19)})),
    ],
)
def test_due_at_the_close_of_the_next_working_day(sent: datetime, due: datetime, holidays: frozenset[date]) -> None:
    assert working_deadline(sent, 1, ZONE, holidays) == due


def test_several_working_days_and_another_closing_time() -> None:
    assert working_deadline(at(2026, 11, 19, 9), 2, ZONE, ends=time(17, 30)) == at(2026, 11, 23, 17, 30)


@pytest.mark.parametrize(
    ("sent", "due"),
    [(at(2026, 11, 18, 10), at(2026, 11, 18, 17)), (at(2026, 11, 18, 17), at(2026, 11, 19, 17)),
     (at(2026, 11, 21, 10), at(2026, 11, 23, 17))],
)
def test_zero_days_means_the_close_of_the_first_working_day_still_open(sent: datetime, due: datetime) -> None:
    assert working_deadline(sent, 0, ZONE) == due


def test_the_deadline_keeps_the_callers_time_zone() -> None:
    assert working_deadline(at(2026, 11, 18, 10), 1, ZONE).tzinfo is timezone.utc
