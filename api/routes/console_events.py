"""Admin console: union events — list, create and edit, registrations with check-in, cancellation, exports.

Times are typed in local time (`settings.timezone`) and stored in UTC. Anything that moves places
(capacity, cancellation, check-in) runs in a write-serialised unit; capacity changes and cancellations go
through the event desk, which tells promoted workers on their channel.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.console import Level, NotFound, ZoneDep, channel_name, local_time, redirect, render
from api.deps import DatabaseDep, EventDeskDep
from api.exports import csv_response, xlsx_response
from api.schemas.events import LIMITS, MAX_CAPACITY, EventForm, EventValues, validate
from api.schemas.ids import Id
from api.security import Console, ConsoleAdminDep, CsrfChecked
from core.audit import audit
from core.clock import aware, utcnow
from core.db import Database
from core.event_desk import EventDesk
from core.events import (
    Event,
    EventError,
    EventKind,
    Registration,
    RegistrationStatus,
    all_events,
    check_in,
    mark_checked_in,
    registrations_of_event,
)
from core.members import Member
from core.validation import mask_phone

router = APIRouter(tags=["console"], include_in_schema=False)

EXPORT_HEADERS = ("序号", "状态", "候补位次", "姓名", "手机号", "会员服务卡号", "报名渠道", "报名时间", "递补时间",
                  "签到时间", "取消时间")
NAMED = 10  # people named in a message; more are counted
CodeForm = Annotated[str, Form(max_length=20)]


def _counts(session: Session, event_ids: list[int]) -> dict[int, Counter]:
    """Registrations per event and status, in one grouped query."""
    query = (
        select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(event_ids))
        .group_by(Registration.event_id, Registration.status)
    )
    counts: dict[int, Counter] = {}
    for event_id, state, number in session.execute(query):
        counts.setdefault(event_id, Counter())[state] = number
    return counts


def _event_row(event: Event, counts: Counter, zone: ZoneInfo) -> dict[str, object]:
    taken = counts[RegistrationStatus.CONFIRMED] + counts[RegistrationStatus.CHECKED_IN]
    return {
        "id": event.id,
        "title": event.title,
        "kind": EventKind(event.kind).label,
        "starts": local_time(event.starts_at, zone),
        "ends": local_time(event.ends_at, zone),
        "closes": local_time(event.closes_at, zone),
        "open": event.open_for_registration(),
        "place": event.place,
        "capacity": event.capacity,
        "taken": taken,
        "full": taken >= event.capacity,
        "checked_in": counts[RegistrationStatus.CHECKED_IN],
        "waitlisted": counts[RegistrationStatus.WAITLISTED],
        "cancelled": counts[RegistrationStatus.CANCELLED],
        "members_only": event.members_only,
        "description": event.description,
    }


def _load(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("没有这个活动", "/console/events", "回到活动列表")
    return event


def _registration_rows(session: Session, event_id: int, zone: ZoneInfo) -> list[dict[str, object]]:
    """In registration order, with each waitlisted person's place in the queue."""
    registrations = registrations_of_event(session, event_id)
    member_ids = {r.member_id for r in registrations if r.member_id}
    numbers = dict(session.execute(select(Member.id, Member.number).where(Member.id.in_(member_ids))).all())
    rows, queue = [], 0
    for order, r in enumerate(registrations, start=1):
        queue += r.status == RegistrationStatus.WAITLISTED
        rows.append({
            "id": r.id,
            "order": order,
            "name": r.name,
            "phone": r.phone,
            "masked": mask_phone(r.phone),
            "number": numbers.get(r.member_id) or "",
            "channel": channel_name(r.channel),
            "status": r.status,
            "label": RegistrationStatus(r.status).label,
            "position": queue if r.status == RegistrationStatus.WAITLISTED else None,
            "registered": local_time(r.created_at, zone),
            "promoted": local_time(r.promoted_at, zone),
            "checked_in": local_time(r.checked_in_at, zone),
            "cancelled": local_time(r.cancelled_at, zone),
        })
    return rows


def _listed(names: list[str]) -> str:
    shown = "、".join(names[:NAMED])
    return shown if len(names) <= NAMED else f"{shown}等 {len(names)} 人"


def _registrations(database: Database, ids: list[int]) -> list[Registration]:
    with database.session() as session:
        found = {r.id: r for r in session.scalars(select(Registration).where(Registration.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _checked_in(database: Database, ids: list[int]) -> str:
    people = [f"{r.name}（{mask_phone(r.phone)}）" for r in _registrations(database, ids)]
    return f"已签到：{_listed(people)}。"


def _promoted(database: Database, ids: list[int]) -> str:
    names = [r.name for r in _registrations(database, ids)]
    return f"候补转正：{_listed(names)}，已按候补先后转为正式报名，系统已给他们发送转正通知（含签到码）。"


@dataclass(frozen=True)
class Screen:
    """An admin's request to the event pages, and the pages it can be answered with."""

    request: Request
    context: Console
    database: Database
    zone: ZoneInfo

    def form(self, form: EventForm, event_id: int | None, errors: dict[str, str] | None = None) -> Response:
        return render(
            self.request,
            "console/event_form.html",
            self.context,
            422 if errors else 200,
            form=form,
            event_id=event_id,
            errors=errors or {},
            kinds=[(k.value, k.label) for k in EventKind],
            zone=self.zone.key,
            limits=LIMITS,
            max_capacity=MAX_CAPACITY,
        )

    def event(self, event_id: int, status_code: int = 200, **extra: object) -> Response:
        """The event page; `extra` carries what went wrong with a check-in or a cancellation."""
        with self.database.session() as session:
            event = _load(session, event_id)
            rows = _registration_rows(session, event_id, self.zone)
            summary = _event_row(event, Counter(row["status"] for row in rows), self.zone)
        return render(self.request, "console/event.html", self.context, status_code, event=summary, rows=rows,
                      **extra)


def screen(request: Request, context: ConsoleAdminDep, database: DatabaseDep, zone: ZoneDep) -> Screen:
    return Screen(request, context, database, zone)


ScreenDep = Annotated[Screen, Depends(screen)]


async def posted_event(request: Request) -> EventForm:
    """The event form as posted: read in a dependency, so the handlers stay synchronous like every console
    route's."""
    return EventForm.posted(await request.form())


PostedEvent = Annotated[EventForm, Depends(posted_event)]


@router.get("/console/events")
def events_page(screen: ScreenDep) -> Response:
    now = utcnow()
    with screen.database.session() as session:
        events = all_events(session)
        counts = _counts(session, [e.id for e in events])
        rows = [(_event_row(e, counts.get(e.id, Counter()), screen.zone), aware(e.starts_at) > now)
                for e in events]
    upcoming = [row for row, ahead in reversed(rows) if ahead]  # soonest first
    past = [row for row, ahead in rows if not ahead]  # latest first
    return render(screen.request, "console/events.html", screen.context, upcoming=upcoming, past=past)


@router.get("/console/events/new")
def new_event_page(screen: ScreenDep) -> Response:
    return screen.form(EventForm(), None)


@router.post("/console/events/new", dependencies=[CsrfChecked])
def create_event(screen: ScreenDep, form: PostedEvent) -> Response:
    values, errors = validate(form, screen.zone, new=True)
    if values is None:
        return screen.form(form, None, errors)
    event_id = _create(screen.database, values)
    return redirect(f"/console/events/{event_id}", "活动已创建。职工在聊天里发“活动报名”就能看到并报名。")


def _create(database: Database, values: EventValues) -> int:
    with database.session() as session:
        event = Event(capacity=values.capacity)
        values.apply(event)
        session.add(event)
        session.flush()
        return event.id


@router.get("/console/events/{event_id}/edit")
def edit_event_page(event_id: Id, screen: ScreenDep) -> Response:
    with screen.database.session() as session:
        form = EventForm.of(_load(session, event_id), screen.zone)
    return screen.form(form, event_id)


@router.post("/console/events/{event_id}/edit", dependencies=[CsrfChecked])
def update_event(event_id: Id, screen: ScreenDep, desk: EventDeskDep, form: PostedEvent) -> Response:
    """Capacity goes through the event desk: a larger one promotes the waitlist in order and tells them."""
    values, errors = validate(form, screen.zone, new=False)
    if values is None:
        _exists(screen.database, event_id)
        return screen.form(form, event_id, errors)
    promoted = _update(screen.database, desk, event_id, values)
    text = "修改已保存。" + (_promoted(screen.database, promoted) if promoted else "")
    return redirect(f"/console/events/{event_id}", text)


def _exists(database: Database, event_id: int) -> None:
    with database.session() as session:
        _load(session, event_id)


def _update(database: Database, desk: EventDesk, event_id: int, values: EventValues) -> list[int]:
    with database.session() as session:
        event = _load(session, event_id)
        values.apply(event)
        changed = event.capacity != values.capacity
    return desk.set_capacity(event_id, values.capacity) if changed else []


@router.get("/console/events/{event_id}")
def event_page(event_id: Id, screen: ScreenDep) -> Response:
    return screen.event(event_id)


class CheckInProblem(ValueError):
    """A code that cannot be checked in, in words for the admin at the door."""


def _check_in_code(database: Database, event_id: int, code: str) -> tuple[Registration, bool]:
    """Checks in the registration with this code; says whether it had been checked in already."""
    code = code.strip().upper()
    with database.write_session() as session:
        _load(session, event_id)
        query = select(Registration).where(Registration.event_id == event_id, Registration.code == code)
        found = session.scalar(query)
        if found is None:
            raise CheckInProblem(f"签到码 {code} 不对：这个活动没有这个签到码，请核对后再输入。")
        if found.status == RegistrationStatus.WAITLISTED:
            raise CheckInProblem(f"{found.name} 还在候补，没有正式名额，不能签到。")
        if found.status == RegistrationStatus.CANCELLED:
            raise CheckInProblem(f"{found.name} 的报名已经取消，不能签到。")
        already = found.status == RegistrationStatus.CHECKED_IN
        return check_in(session, event_id, code), already


@router.post("/console/events/{event_id}/check-in", dependencies=[CsrfChecked])
def check_in_by_code(event_id: Id, screen: ScreenDep, code: CodeForm = "") -> Response:
    """The code the worker's chat shows; a wrong one is answered in words, with the code left to correct."""
    if not code.strip():
        return screen.event(event_id, 422, code=code, code_error="请输入报名人聊天里显示的签到码。")
    try:
        found, already = _check_in_code(screen.database, event_id, code)
    except CheckInProblem as problem:
        return screen.event(event_id, 422, code=code, code_error=str(problem))
    page = f"/console/events/{event_id}"
    if already:
        when = local_time(found.checked_in_at, screen.zone)
        return redirect(page, f"{found.name} 之前已经签到过了（{when}）。", Level.WARN)
    return redirect(page, _checked_in(screen.database, [found.id]))


def _tick(database: Database, event_id: int, ticked: list[int]) -> None:
    """All or none: one registration that cannot check in leaves the others untouched."""
    with database.write_session() as session:
        _load(session, event_id)
        for registration_id in ticked:
            found = session.get(Registration, registration_id)
            if found is None or found.event_id != event_id:
                raise EventError("勾选的报名不属于这个活动，请刷新页面后重试。")
            try:
                mark_checked_in(found)
            except EventError:
                label = RegistrationStatus(found.status).label
                raise EventError(f"{found.name}（{label}）没有正式名额，不能签到。") from None


@router.post("/console/events/{event_id}/registrations/check-in", dependencies=[CsrfChecked])
def check_in_ticked(
    event_id: Id,
    screen: ScreenDep,
    registration: Annotated[list[Id], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    if not registration:
        return screen.event(event_id, 422, table_error="请先勾选要签到的人。")
    try:
        _tick(screen.database, event_id, registration)
    except EventError as problem:
        return screen.event(event_id, 409, table_error=str(problem))
    return redirect(f"/console/events/{event_id}", _checked_in(screen.database, registration))


@router.post("/console/events/{event_id}/registrations/{registration_id}/cancel", dependencies=[CsrfChecked])
def cancel_registration(event_id: Id, registration_id: Id, screen: ScreenDep, desk: EventDeskDep) -> Response:
    """On the worker's behalf (they phoned, say); the first on the waitlist takes the place and is told."""
    with screen.database.session() as session:
        found = session.get(Registration, registration_id)
        if found is None or found.event_id != event_id:
            raise NotFound("这个活动没有这条报名", f"/console/events/{event_id}", "回到这个活动")
        name = found.name
    try:
        promoted = desk.cancel(registration_id)
    except EventError:
        return screen.event(event_id, 409, table_error=f"{name} 的报名已经取消或已签到，不能再取消。")
    with screen.database.session() as session:
        detail = f"event {event_id} registration {registration_id}"
        audit(session, screen.context.user.username, "registration.cancel", detail)
    moved = _promoted(screen.database, [promoted]) if promoted else "没有候补的人需要递补。"
    return redirect(f"/console/events/{event_id}", f"已替 {name} 取消报名。{moved}")


def _participants(screen: Screen, event_id: int, kind: str, reveal: bool) -> tuple[str, list[list[object]]]:
    """Every registration in order; phones masked unless revealed (to call people on the day); audited."""
    with screen.database.session() as session:
        title = _load(session, event_id).title
        rows = [
            [row["order"], row["label"], row["position"] or "", row["name"],
             row["phone"] if reveal else row["masked"], row["number"],
             row["channel"], row["registered"], row["promoted"], row["checked_in"], row["cancelled"]]
            for row in _registration_rows(session, event_id, screen.zone)
        ]
        detail = f"{kind} event {event_id} rows={len(rows)} phones={'revealed' if reveal else 'masked'}"
        audit(session, screen.context.user.username, "registrations.export", detail)
    return title, rows


@router.get("/console/events/{event_id}/participants.csv")
def export_csv(event_id: Id, screen: ScreenDep, reveal: bool = False) -> Response:
    title, rows = _participants(screen, event_id, "csv", reveal)
    return csv_response(EXPORT_HEADERS, rows, f"报名名单-{title}.csv")


@router.get("/console/events/{event_id}/participants.xlsx")
def export_xlsx(event_id: Id, screen: ScreenDep, reveal: bool = False) -> Response:
    title, rows = _participants(screen, event_id, "xlsx", reveal)
    return xlsx_response(EXPORT_HEADERS, rows, f"报名名单-{title}.xlsx", sheet="报名名单")
