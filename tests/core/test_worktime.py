from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from core.worktime import add_working_days

ZONE = "Asia/Shanghai"
LOCAL = ZoneInfo(ZONE)


def at(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LOCAL).astimezone(timezone.utc)


def test_weekday_plus_one_working_day() -> None:
    assert add_working_days(at(2026, 11, 18, 10), 1, ZONE) == at(2026, 11, 19, 10)  # Wednesday → Thursday


def test_friday_rolls_over_the_weekend() -> None:
    assert add_working_days(at(2026, 11, 20, 15), 1, ZONE) == at(2026, 11, 23, 15)  # Friday → Monday


def test_weekend_start_counts_from_monday_morning() -> None:
    assert add_working_days(at(2026, 11, 21, 22), 1, ZONE) == at(2026, 11, 24, 9)  # Saturday night → Tuesday 9:00


def test_holidays_are_skipped() -> None:
    holidays = frozenset({date(2026, 11, 19)})
    assert add_working_days(at(2026, 11, 18, 10), 1, ZONE, holidays) == at(2026, 11, 20, 10)
