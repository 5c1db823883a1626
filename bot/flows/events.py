"""活动报名 and 我的报名: upcoming union events, signing up (a form, with waitlist), and cancelling."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.flows.base import Turn, keep, state_of
from bot.forms import YES, Field, Form
from bot.intents import compact
from core.clock import local
from core.messages import Button, Reply
from bot.replies import say
from core.events import (
    AlreadyRegistered,
    Event,
    EventError,
    EventKind,
    MembersOnly,
    Registrant,
    Registration,
    RegistrationClosed,
    RegistrationStatus,
    active_registrations_of,
    cancel,
    places_left,
    register,
    upcoming,
    waitlist_position,
)
from core.members import MemberStatus, member_of
from core.validation import parse_mobile, parse_name

SHOWN = 6
PICK = re.compile(r"^活动(\d+)$")
SIGN_UP = re.compile(r"^报名活动(\d+)$")
CANCEL = re.compile(r"^取消报名(\d+)$")
SIGN_UP_WORDS = ("我要报名", "报名")
BACK = Button("看其他活动", "活动报名")
JOIN = Button("加入工会", "入会")


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """'03月01日 10:00' on the local clock; a naive moment (SQLite) is UTC, whatever the host's zone."""
    shown = local(moment, zone)
    return f"{shown.month:02d}月{shown.day:02d}日 {shown.hour:02d}:{shown.minute:02d}"


def sign_up_button(event: Event) -> Button:
    """The payload names the event, so the button still means this event when pressed again later."""
    return Button("我要报名", f"报名活动{event.id}")


@dataclass
class SignUp:
    event_id: int = 0
    name: str | None = None
    phone: str | None = None


class EventSignUpForm(Form[SignUp]):
    """A worker who is not yet an approved member gives a name and phone; members are signed up at once."""

    name = "event_sign_up"
    state = SignUp
    fields = (
        Field("name", "姓名", parse_name, "events_name.j2", "events_name_again.j2"),
        Field("phone", "手机", parse_mobile, "events_phone.j2", "events_phone_again.j2"),
    )
    consent = "events_consent.j2"
    declined = "events_declined.j2"
    summary = "events_summary.j2"

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def start(self, turn: Turn) -> list[Reply]:
        """Entered by the 我要报名 button, whose payload (报名活动N) names the event."""
        match = SIGN_UP.match(compact(turn.text))
        return self.for_event(turn, int(match.group(1)) if match else 0)

    def for_event(self, turn: Turn, event_id: int) -> list[Reply]:
        event = turn.session.get(Event, event_id)
        turn.conversation.leave()
        if event is None:
            return [say("events_missing.j2", (BACK,))]
        mine = active_registrations_of(turn.session, turn.message.channel, turn.message.user_id)
        registration = next((r for r in mine if r.event_id == event.id), None)
        if registration is not None:
            return self._already(registration)
        if not event.open_for_registration():
            return [say("events_closed.j2", (BACK,))]
        member = member_of(turn.session, turn.message.channel, turn.message.user_id)
        if member is not None and member.status == MemberStatus.APPROVED:
            channel, user_id = turn.message.channel, turn.message.user_id
            registrant = Registrant(channel, user_id, member.name, member.phone, member.id)
            replies, record_id = self._register(turn, event.id, registrant)
            self.remember(turn, record_id)
            return replies
        if event.members_only:
            return [say("events_members_only.j2", (JOIN,))]
        return self.begin(turn, SignUp(event.id))

    def context(self, turn: Turn, state: SignUp) -> dict[str, object]:
        event = turn.session.get(Event, state.event_id)
        if event is None:
            return {"title": "", "starts": ""}
        return {"title": event.title, "starts": local_time(event.starts_at, self.zone)}

    def submit(self, turn: Turn, state: SignUp) -> tuple[list[Reply], int | None]:
        registrant = Registrant(turn.message.channel, turn.message.user_id, state.name, state.phone)
        return self._register(turn, state.event_id, registrant)

    def already(self, turn: Turn, record_id: int) -> list[Reply] | None:
        registration = turn.session.get(Registration, record_id)
        return self._already(registration) if registration is not None else None

    def _register(self, turn: Turn, event_id: int, registrant: Registrant) -> tuple[list[Reply], int | None]:
        try:
            registration = register(turn.session, event_id, registrant)
        except RegistrationClosed:
            return [say("events_closed.j2", (BACK,))], None
        except MembersOnly:
            return [say("events_members_only.j2", (JOIN,))], None
        except AlreadyRegistered as already:
            return self._already(turn.session.get(Registration, already.registration_id)), already.registration_id
        except EventError:
            return [say("events_missing.j2", (BACK,))], None
        event = registration.event
        if registration.status == RegistrationStatus.WAITLISTED:
            position = waitlist_position(turn.session, registration)
            return [say("events_waitlisted.j2", title=event.title, position=position)], registration.id
        confirmed = say("events_confirmed.j2", title=event.title, starts=local_time(event.starts_at, self.zone),
                        place=event.place, code=registration.code)
        return [confirmed], registration.id

    @staticmethod
    def _already(registration: Registration) -> list[Reply]:
        status = RegistrationStatus(registration.status).label
        return [say("events_already.j2", title=registration.event.title, status=status)]


class BrowseStep(StrEnum):
    LIST = "list"
    DETAIL = "detail"


@dataclass
class Browsing:
    event_id: int | None = None


class EventsFlow:
    name = "events"

    def __init__(self, zone: str, sign_up: EventSignUpForm) -> None:
        self.zone = ZoneInfo(zone)
        self.sign_up = sign_up

    def start(self, turn: Turn) -> list[Reply]:
        """An old event button pressed again (活动N, 报名活动N) still means its event."""
        return self._picked(turn) or self._list(turn)

    def handle(self, turn: Turn) -> list[Reply] | None:
        picked = self._picked(turn)
        if picked is not None:
            return picked
        browsing = state_of(turn, Browsing)
        if turn.conversation.step == BrowseStep.DETAIL and compact(turn.text) in SIGN_UP_WORDS:
            return self.sign_up.for_event(turn, browsing.event_id or 0)
        return None

    def _picked(self, turn: Turn) -> list[Reply] | None:
        words = compact(turn.text)
        if match := SIGN_UP.match(words):
            return self.sign_up.for_event(turn, int(match.group(1)))
        if match := PICK.match(words):
            return self._detail(turn, int(match.group(1)))
        return None

    def _list(self, turn: Turn) -> list[Reply]:
        events = upcoming(turn.session, limit=SHOWN)
        if not events:
            turn.conversation.leave()
            return [say("events_none.j2")]
        keep(turn, self.name, BrowseStep.LIST, Browsing())
        rows = [{"title": e.title, "starts": local_time(e.starts_at, self.zone), "open": e.open_for_registration()}
                for e in events]
        buttons = tuple(Button(e.title, f"活动{e.id}") for e in events)
        return [say("events_list.j2", buttons, events=rows)]

    def _detail(self, turn: Turn, event_id: int) -> list[Reply]:
        event = turn.session.get(Event, event_id)
        if event is None:
            return self._list(turn)
        keep(turn, self.name, BrowseStep.DETAIL, Browsing(event.id))
        is_open = event.open_for_registration()
        buttons = (sign_up_button(event), BACK) if is_open else (BACK,)
        return [
            say(
                "events_detail.j2",
                buttons,
                event=event,
                kind=EventKind(event.kind).label,
                starts=local_time(event.starts_at, self.zone),
                ends=local_time(event.ends_at, self.zone) if event.ends_at else None,
                closes=local_time(event.closes_at, self.zone),
                left=places_left(turn.session, event),
                open=is_open,
            )
        ]


class CancelStep(StrEnum):
    MENU = "menu"
    CONFIRM = "confirm"


@dataclass
class Cancelling:
    registration_id: int | None = None


class RegistrationsFlow:
    """我的报名: what the worker signed up for, with codes, and cancelling with confirmation."""

    name = "my_registrations"
    CONFIRM = Button("确定取消", "确定取消")
    KEEP = Button("不取消", "不取消")

    def __init__(self, zone: str, promoted: Callable[[list[int]], None]) -> None:
        self.zone = ZoneInfo(zone)
        self.promoted = promoted

    def start(self, turn: Turn) -> list[Reply]:
        registrations = active_registrations_of(turn.session, turn.message.channel, turn.message.user_id)
        if not registrations:
            turn.conversation.leave()
            return [say("registrations_none.j2", (BACK,))]
        keep(turn, self.name, CancelStep.MENU, Cancelling())
        rows = [
            {
                "title": r.event.title,
                "starts": local_time(r.event.starts_at, self.zone),
                "status": RegistrationStatus(r.status).label,
                "code": r.code if r.status != RegistrationStatus.WAITLISTED else None,
                "position": waitlist_position(turn.session, r) if r.status == RegistrationStatus.WAITLISTED else None,
            }
            for r in registrations
        ]
        buttons = tuple(
            Button(f"取消：{r.event.title}", f"取消报名{r.id}")
            for r in registrations
            if r.status != RegistrationStatus.CHECKED_IN
        )
        return [say("registrations_list.j2", buttons, registrations=rows)]

    def handle(self, turn: Turn) -> list[Reply] | None:
        words = compact(turn.text)
        if turn.conversation.step == CancelStep.MENU:
            match = CANCEL.match(words)
            if not match:
                return None
            registration = turn.session.get(Registration, int(match.group(1)))
            if registration is None or registration.user_id != turn.message.user_id:
                return self.start(turn)
            keep(turn, self.name, CancelStep.CONFIRM, Cancelling(registration.id))
            return [say("registrations_confirm.j2", (self.CONFIRM, self.KEEP), title=registration.event.title)]
        cancelling = state_of(turn, Cancelling)
        turn.conversation.leave()
        if words not in YES | {compact(self.CONFIRM.payload)}:
            return [say("registrations_kept.j2")]
        promoted = cancel(turn.session, cancelling.registration_id)
        if promoted is not None:
            turn.after_commit.append(lambda: self.promoted([promoted]))
        return [say("registrations_cancelled.j2")]
