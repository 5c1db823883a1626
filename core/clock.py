"""Time in one place: the database keeps UTC, workers and staff read the federation's local time.

SQLite hands datetimes back without their zone, PostgreSQL with it; `aware` makes both UTC, so every
comparison and conversion works on either database.
"""

from datetime import date, datetime, time, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored moment as UTC, whether or not the database kept its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@lru_cache(maxsize=8)
def zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(moment: datetime, zone: str | tzinfo) -> datetime:
    """The moment on the clock of `zone` (a name such as "Asia/Shanghai", or a zone)."""
    return aware(moment).astimezone(zone_named(zone) if isinstance(zone, str) else zone)


def local_midnight(day: date, zone: str | tzinfo) -> datetime:
    """The UTC moment a local calendar day begins: where a filter "from this date" starts."""
    start = datetime.combine(day, time.min, tzinfo=zone_named(zone) if isinstance(zone, str) else zone)
    return start.astimezone(timezone.utc)
