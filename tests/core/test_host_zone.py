"""Naive datetimes (as SQLite returns them) are UTC, whatever zone the host runs in: the promise to a worker,
an event's time in chat and the first-response deadline come out the same with TZ set elsewhere."""

import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.flows.dispute import promised
from bot.flows.events import local_time
from core.worktime import working_deadline

SHANGHAI = "Asia/Shanghai"


@pytest.fixture(params=["America/New_York", "Pacific/Auckland", "UTC"])
def host_zone(request, monkeypatch) -> str:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_a_naive_due_time_is_promised_in_local_time(host_zone: str) -> None:
    due = datetime(2026, 11, 23, 9, 0)  # 17:00 in Shanghai, stored without its zone
    assert promised(due, SHANGHAI) == "11月23日（周一）17:00"
    assert promised(due.replace(tzinfo=timezone.utc), SHANGHAI) == "11月23日（周一）17:00"


def test_a_naive_event_start_shows_in_local_time(host_zone: str) -> None:
    assert local_time(datetime(2027, 3, 1, 2, 0), ZoneInfo(SHANGHAI)) == "03月01日 10:00"


def test_the_deadline_of_a_naive_start_is_the_local_close_of_day(host_zone: str) -> None:
    friday_evening = datetime(2026, 11, 20, 12, 0)  # 20:00 in Shanghai
    due = working_deadline(friday_evening, 1, SHANGHAI)
    assert due == datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
