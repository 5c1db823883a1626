"""The console's event form: kept as typed, checked, and turned into values with times in UTC.

Admins type times in local time (`settings.timezone`, the `datetime-local` inputs); events store UTC.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

from core.clock import aware, utcnow
from core.events import Event, EventKind

MAX_CAPACITY = 100_000
LIMITS = {"title": 100, "place": 200, "description": 2000}
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


@dataclass
class EventForm:
    """The form as typed: kept as text so a rejected form comes back exactly as the admin left it."""

    title: str = ""
    kind: str = EventKind.OTHER.value
    starts: str = ""
    ends: str = ""
    deadline: str = ""
    place: str = ""
    capacity: str = ""
    members_only: bool = False
    description: str = ""

    @classmethod
    def posted(cls, form: FormData) -> "EventForm":
        fields = ("title", "kind", "starts", "ends", "deadline", "place", "capacity", "description")
        return cls(**{name: str(form.get(name, "")).strip() for name in fields},
                   members_only=form.get("members_only") == "on")

    @classmethod
    def of(cls, event: Event, zone: ZoneInfo) -> "EventForm":
        def typed(moment: datetime | None) -> str:
            return f"{aware(moment).astimezone(zone):{LOCAL_INPUT}}" if moment else ""

        return cls(event.title, event.kind, typed(event.starts_at), typed(event.ends_at),
                   typed(event.registration_deadline), event.place, str(event.capacity), event.members_only,
                   event.description)


@dataclass(frozen=True)
class EventValues:
    """A checked form: ready to store."""

    title: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime | None
    registration_deadline: datetime | None
    place: str
    capacity: int
    members_only: bool
    description: str

    def apply(self, event: Event) -> None:
        """Everything but capacity, which moves places and so goes through the event desk."""
        for name in ("title", "kind", "starts_at", "ends_at", "registration_deadline", "place", "description"):
            setattr(event, name, getattr(self, name))
        event.members_only = self.members_only


def _moment(text: str, zone: ZoneInfo) -> datetime | None:
    """A `datetime-local` value in local time, as UTC; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return None
    return moment.replace(tzinfo=zone).astimezone(timezone.utc)


def validate(form: EventForm, zone: ZoneInfo, new: bool) -> tuple[EventValues | None, dict[str, str]]:
    """Parsed values, or the problems keyed by field, in words the admin can act on."""
    errors: dict[str, str] = {}
    if not form.title:
        errors["title"] = "请填写活动名称。"
    for name, limit in LIMITS.items():
        if len(getattr(form, name)) > limit:
            errors[name] = f"最多 {limit} 个字。"
    if form.kind not in {k.value for k in EventKind}:
        errors["kind"] = "请选择活动类型。"
    starts = _moment(form.starts, zone) if form.starts else None
    if starts is None:
        errors["starts"] = "请填写开始时间。" if not form.starts else "开始时间的格式不对。"
    elif new and starts <= utcnow():
        errors["starts"] = "开始时间已经过去了。"
    ends = _moment(form.ends, zone) if form.ends else None
    if form.ends and ends is None:
        errors["ends"] = "结束时间的格式不对。"
    elif starts and ends and ends <= starts:
        errors["ends"] = "结束时间要晚于开始时间。"
    deadline = _moment(form.deadline, zone) if form.deadline else None
    if form.deadline and deadline is None:
        errors["deadline"] = "报名截止时间的格式不对。"
    elif starts and deadline and deadline > starts:
        errors["deadline"] = "报名截止时间不能晚于开始时间。"
    capacity = int(form.capacity) if re.fullmatch(r"\d{1,6}", form.capacity, re.ASCII) else None
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = f"名额请填 1 到 {MAX_CAPACITY} 之间的整数。"
    if errors:
        return None, errors
    values = EventValues(form.title, EventKind(form.kind), starts, ends, deadline, form.place, capacity,
                         form.members_only, form.description)
    return values, {}
