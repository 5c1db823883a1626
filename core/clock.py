"""Time in one place: the database keeps UTC, workers and staff read the federation's local time.

SQLite hands datetimes back without their zone, PostgreSQL with it; `aware` makes both UTC, so every
comparison and conversion works on either database.
"""

from datetime import datetime, timezone, tzinfo
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
