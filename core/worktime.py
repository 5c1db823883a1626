"""Working-day arithmetic in local time, for the first-response deadline a worker is promised."""

from datetime import date, datetime, time, timedelta, timezone

from core.clock import local, zone_named


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_deadline(
    start: datetime, days: int, zone: str, holidays: frozenset[date] = frozenset(), ends: time = time(17)
) -> datetime:
    """The end of the working day `days` working days after the day of `start`, in local time.

    A promise must fall in working hours: a case sent on Friday evening or at 3 a.m. is due when a mediator has
    had a whole working day for it (the next working day's close), never at the small hours a plain "plus one
    day" gives. With 0 days it is the close of the first working day that has not ended yet.
    """
    begun = local(start, zone)  # a naive start (SQLite) is UTC, whatever the host's zone
    day = begun.date()
    if days == 0 and not (is_working_day(day, holidays) and begun.time() < ends):
        days = 1
    for _ in range(days):
        day = next_working_day(day, holidays)
    return datetime.combine(day, ends, tzinfo=zone_named(zone)).astimezone(timezone.utc)


def next_working_day(day: date, holidays: frozenset[date]) -> date:
    day += timedelta(days=1)
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day
