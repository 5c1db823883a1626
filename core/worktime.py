"""Working-day arithmetic in local time, for first-response deadlines."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: datetime, days: int, zone: str, holidays: frozenset[date] = frozenset()) -> datetime:
    """Same local time-of-day, `days` working days later; a start outside working days counts from the next one."""
    local = start.astimezone(ZoneInfo(zone))
    while not is_working_day(local.date(), holidays):
        local = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if is_working_day(local.date(), holidays):
            remaining -= 1
    return local.astimezone(start.tzinfo)
