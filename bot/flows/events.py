"""活动报名 and 我的报名: upcoming union events, registering (with waitlist), and cancelling."""

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.flows.base import Turn
from bot.flows.join import NAME
from bot.intents import compact
from core.messages import Button, Reply
from bot.replies import say
from core.events import (
    AlreadyRegistered,
    Event,
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
from core.validation import parse_mobile

SHOWN = 6
PICK = re.compile(r"^活动(\d+)$")
CANCEL = re.compile(r"^取消报名(\d+)$")
SIGN_UP = Button("我要报名", "我要报名")
BACK = Button("看其他活动", "活动报名")
JOIN = Button("加入工会", "入会")


class EventsFlow:
    name = "events"

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def local(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%m月%d日 %H:%M}"

    def start(self, turn: Turn) -> list[Reply]:
        events = upcoming(turn.session, limit=SHOWN)
        if not events:
            turn.conversation.leave()
            return [say("events_none.j2")]
        turn.conversation.enter(self.name, "list")
        rows = [{"title": e.title, "starts": self.local(e.starts_at), "open": e.open_for_registration()} for e in events]
        buttons = tuple(Button(e.title[:16], f"活动{e.id}") for e in events)
        return [say("events_list.j2", buttons, events=rows)]

    def handle(self, turn: Turn) -> list[Reply] | None:
        words = compact(turn.text)
        step = turn.conversation.step
        if step == "list":
            match = PICK.match(words)
            return self._detail(turn, int(match.group(1))) if match else None
        if step == "detail":
            if words not in ("我要报名", "报名"):
                return None
            return self._sign_up(turn)
        if step == "name":
            if not NAME.match(turn.text.strip()):
                return [say("join_name_again.j2")]
            turn.conversation.advance("phone", name=turn.text.strip())
            return [say("events_phone.j2")]
        phone = parse_mobile(turn.text)
        if phone is None:
            return [say("dispute_phone_again.j2")]
        data = turn.conversation.data
        return self._register(turn, Registrant(turn.message.channel, turn.message.user_id, data["name"], phone))

    def _detail(self, turn: Turn, event_id: int) -> list[Reply]:
        event = turn.session.get(Event, event_id)
        if event is None:
            return self.start(turn)
        turn.conversation.advance("detail", event_id=event.id)
        left = places_left(turn.session, event)
        buttons = (SIGN_UP, BACK) if event.open_for_registration() else (BACK,)
        return [
            say(
                "events_detail.j2",
                buttons,
                event=event,
                kind=EventKind(event.kind).label,
                starts=self.local(event.starts_at),
                ends=self.local(event.ends_at) if event.ends_at else None,
                closes=self.local(event.closes_at),
                left=left,
                open=event.open_for_registration(),
            )
        ]

    def _sign_up(self, turn: Turn) -> list[Reply]:
        member = member_of(turn.session, turn.message.channel, turn.message.user_id)
        if member is not None and member.status == MemberStatus.APPROVED:
            registrant = Registrant(turn.message.channel, turn.message.user_id, member.name, member.phone, member.id)
            return self._register(turn, registrant)
        event = turn.session.get(Event, turn.conversation.data["event_id"])
        if event is not None and event.members_only:
            turn.conversation.leave()
            return [say("events_members_only.j2", (JOIN,))]
        turn.conversation.advance("name")
        return [say("events_name.j2")]

    def _register(self, turn: Turn, registrant: Registrant) -> list[Reply]:
        event_id = turn.conversation.data["event_id"]
        turn.conversation.leave()
        try:
            registration = register(turn.session, event_id, registrant)
        except RegistrationClosed:
            return [say("events_closed.j2", (BACK,))]
        except MembersOnly:
            return [say("events_members_only.j2", (JOIN,))]
        except AlreadyRegistered as already:
            registration = turn.session.get(Registration, already.registration_id)
            return [say("events_already.j2", status=RegistrationStatus(registration.status).label)]
        event = registration.event
        if registration.status == RegistrationStatus.WAITLISTED:
            position = waitlist_position(turn.session, registration)
            return [say("events_waitlisted.j2", title=event.title, position=position)]
        return [say("events_confirmed.j2", title=event.title, starts=self.local(event.starts_at),
                    place=event.place, code=registration.code)]


class RegistrationsFlow:
    """我的报名: what the worker signed up for, with codes, and cancelling with confirmation."""

    name = "my_registrations"

    def __init__(self, zone: str, promoted: Callable[[list[int]], None]) -> None:
        self.zone = ZoneInfo(zone)
        self.promoted = promoted

    def start(self, turn: Turn) -> list[Reply]:
        registrations = active_registrations_of(turn.session, turn.message.channel, turn.message.user_id)
        if not registrations:
            turn.conversation.leave()
            return [say("registrations_none.j2", (BACK,))]
        turn.conversation.enter(self.name, "menu")
        rows = [
            {
                "title": r.event.title,
                "starts": f"{r.event.starts_at.astimezone(self.zone):%m月%d日 %H:%M}",
                "status": RegistrationStatus(r.status).label,
                "code": r.code if r.status != RegistrationStatus.WAITLISTED else None,
                "position": waitlist_position(turn.session, r) if r.status == RegistrationStatus.WAITLISTED else None,
            }
            for r in registrations
        ]
        buttons = tuple(
            Button(f"取消：{r.event.title[:10]}", f"取消报名{r.id}")
            for r in registrations
            if r.status != RegistrationStatus.CHECKED_IN
        )
        return [say("registrations_list.j2", buttons, registrations=rows)]

    def handle(self, turn: Turn) -> list[Reply] | None:
        words = compact(turn.text)
        if turn.conversation.step == "menu":
            match = CANCEL.match(words)
            if not match:
                return None
            registration = turn.session.get(Registration, int(match.group(1)))
            if registration is None or registration.user_id != turn.message.user_id:
                return self.start(turn)
            turn.conversation.advance("confirm", registration_id=registration.id)
            return [say("registrations_confirm.j2", (Button("确定取消", "确定取消"), Button("不取消", "不取消")),
                        title=registration.event.title)]
        registration_id = turn.conversation.data["registration_id"]
        turn.conversation.leave()
        if words != "确定取消":
            return [say("registrations_kept.j2")]
        promoted = cancel(turn.session, registration_id)
        if promoted is not None:
            turn.after_commit.append(lambda: self.promoted([promoted]))
        return [say("registrations_cancelled.j2")]
