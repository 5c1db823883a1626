"""Admin console, members: search applications, approve (the worker gets the member number), reject, export.

Phone numbers are masked on screen and in exports; an export carries them whole only when the admin asks
(`reveal`), and every list view and export is written to the audit log, saying which.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console import Level, NotFound, ZoneDep, channel_name, local_time, redirect, render
from api.deps import DatabaseDep, MembershipDep
from api.exports import csv_response, xlsx_response
from api.schemas.ids import Id
from api.security import Console, ConsoleAdminDep, CsrfChecked
from core.audit import audit
from core.db import Database
from core.members import (
    Member,
    MemberIdentity,
    MembershipError,
    MemberStatus,
    counts_by_status,
    search_members,
)
from core.validation import mask_phone

router = APIRouter(tags=["console"], include_in_schema=False)

SHOWN = 200
EXPORT_LIMIT = 100_000
MAX_NOTE = 200
EXPORT_HEADERS = ("会员服务卡号", "姓名", "手机号", "就业形态", "单位", "平台/站点", "职业", "状态", "申请时间",
                  "审核时间", "未通过原因", "联系渠道")

WRITERS: dict[str, Callable[[list[list]], Response]] = {
    "csv": lambda rows: csv_response(EXPORT_HEADERS, rows, "会员名单.csv"),
    "xlsx": lambda rows: xlsx_response(EXPORT_HEADERS, rows, "会员名单.xlsx", sheet="会员名单"),
}

SearchText = Annotated[str, Query(max_length=100)]
StateQuery = Annotated[str, Query(alias="status")]
SearchForm = Annotated[str, Form(max_length=100)]
StateForm = Annotated[str, Form(alias="status")]


@dataclass(frozen=True)
class Listing:
    """The search and status filter of the list; a decision returns to the same list."""

    q: str = ""
    state: str = ""

    @property
    def status(self) -> MemberStatus | None:
        return MemberStatus(self.state) if self.state in {s.value for s in MemberStatus} else None

    def query(self) -> str:
        return urlencode({"q": self.q, "status": self.status or ""})

    def describe(self, rows: int) -> str:
        return f"q={self.q!r} status={self.status or 'all'} rows={rows}"


def _listed(q: SearchText = "", state: StateQuery = "") -> Listing:
    """The filter as the list page and its exports are asked for it."""
    return Listing(q, state)


def _posted(q: SearchForm = "", state: StateForm = "") -> Listing:
    """The same filter carried in a decision's form, so that the decision returns to that list."""
    return Listing(q, state)


Listed = Annotated[Listing, Depends(_listed)]
Posted = Annotated[Listing, Depends(_posted)]


def _channels(session: Session, members: list[Member]) -> dict[int, list[str]]:
    """Each member's channels, in one query rather than one per row."""
    found: dict[int, list[str]] = {}
    query = select(MemberIdentity).where(MemberIdentity.member_id.in_([m.id for m in members]))
    for identity in session.scalars(query.order_by(MemberIdentity.id)):
        found.setdefault(identity.member_id, []).append(channel_name(identity.channel))
    return found


def _row(member: Member, channels: list[str], zone: ZoneInfo) -> dict[str, object]:
    return {
        "id": member.id,
        "number": member.number,
        "name": member.name,
        "phone": mask_phone(member.phone),
        "employer": member.employer,
        "gig": member.gig,
        "platform": member.platform,
        "occupation": member.occupation,
        "status": member.status,
        "status_label": MemberStatus(member.status).label,
        "applied": local_time(member.created_at, zone),
        "decided": local_time(member.decided_at, zone),
        "note": member.note,
        "channels": channels,
    }


def _list_page(
    request: Request,
    context: Console,
    database: Database,
    zone: ZoneInfo,
    listing: Listing,
    status_code: int = 200,
    **extra: object,
) -> Response:
    with database.session() as session:
        members = search_members(session, listing.q, listing.status, limit=SHOWN + 1)
        channels = _channels(session, members[:SHOWN])
        rows = [_row(m, channels.get(m.id, []), zone) for m in members[:SHOWN]]
        counts = counts_by_status(session)
        audit(session, context.user.username, "members.view", listing.describe(len(rows)))
    return render(
        request,
        "console/members.html",
        context,
        status_code,
        rows=rows,
        more=len(members) > SHOWN,
        shown=SHOWN,
        q=listing.q,
        state=listing.status or "",
        statuses=[(s.value, s.label, counts.get(s.value, 0)) for s in MemberStatus],
        total=sum(counts.values()),
        filters=listing.query(),
        **extra,
    )


@router.get("/console/members")
def members_page(request: Request, context: ConsoleAdminDep, database: DatabaseDep, zone: ZoneDep,
                 listing: Listed) -> Response:
    return _list_page(request, context, database, zone, listing)


def _member(database: Database, member_id: int) -> Member:
    with database.session() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound("没有这个会员申请", "/console/members", "回到会员名单")
        return member


def _decided(listing: Listing, text: str, delivered: bool) -> Response:
    """Back to the same list, saying what was decided and whether the worker was told."""
    return redirect(f"/console/members?{listing.query()}", text, Level.DONE if delivered else Level.WARN)


@router.post("/console/members/{member_id}/approve", dependencies=[CsrfChecked])
def approve_member(
    request: Request,
    member_id: Id,
    context: ConsoleAdminDep,
    database: DatabaseDep,
    zone: ZoneDep,
    membership: MembershipDep,
    listing: Posted,
) -> Response:
    """The service tells the worker their member number on every channel they used."""
    _member(database, member_id)
    try:
        delivered = membership.approve(member_id, context.user.id)
    except MembershipError:
        return _list_page(request, context, database, zone, listing, 409, error="这位已经是会员了，不用再批准。")
    member = _member(database, member_id)
    told = ("卡号已经通过消息发给本人。" if delivered
            else "但消息没能送达本人（TA 用的聊天渠道暂时发不出消息），请电话告知卡号。")
    return _decided(listing, f"已批准 {member.name} 入会，会员服务卡号 {member.number}。{told}", delivered)


@router.post("/console/members/{member_id}/reject", dependencies=[CsrfChecked])
def reject_member(
    request: Request,
    member_id: Id,
    context: ConsoleAdminDep,
    database: DatabaseDep,
    zone: ZoneDep,
    membership: MembershipDep,
    listing: Posted,
    note: Annotated[str, Form()] = "",
) -> Response:
    """The reason is sent to the applicant, so it cannot be left out."""
    member = _member(database, member_id)
    note = " ".join(note.split())
    if not 2 <= len(note) <= MAX_NOTE:
        problem = f"请填写不通过的原因（2到{MAX_NOTE}个字），这个原因会发给申请人。"
        return _list_page(request, context, database, zone, listing, 422,
                          error=problem, error_member=member_id, note=note)
    try:
        delivered = membership.reject(member_id, context.user.id, note)
    except MembershipError:
        return _list_page(request, context, database, zone, listing, 409, error="只有审核中的申请可以不通过。")
    told = "原因已经通过消息告诉本人。" if delivered else "但消息没能送达本人，请电话告知。"
    return _decided(listing, f"已将 {member.name} 的申请标为未通过。{told}", delivered)


def _export_rows(
    database: Database, zone: ZoneInfo, actor: str, listing: Listing, kind: str, reveal: bool
) -> list[list]:
    with database.session() as session:
        members = search_members(session, listing.q, listing.status, limit=EXPORT_LIMIT)
        channels = _channels(session, members)
        rows = [
            [
                m.number or "",
                m.name,
                m.phone if reveal else mask_phone(m.phone),
                "新就业形态" if m.gig else "单位职工",
                m.employer or "",
                m.platform or "",
                m.occupation or "",
                MemberStatus(m.status).label,
                local_time(m.created_at, zone),
                local_time(m.decided_at, zone),
                m.note or "",
                "、".join(channels.get(m.id, [])),
            ]
            for m in members
        ]
        phones = "revealed" if reveal else "masked"
        audit(session, actor, "members.export", f"{kind} {listing.describe(len(rows))} phones={phones}")
    return rows


@router.get("/console/members/export.{kind}")
def export(kind: str, context: ConsoleAdminDep, database: DatabaseDep, zone: ZoneDep, listing: Listed,
           reveal: bool = False) -> Response:
    """The filtered list as `export.csv` or `export.xlsx`; one route, so both carry the same rows and audit."""
    if kind not in WRITERS:
        raise NotFound("没有这种格式的导出（只有 csv 和 xlsx）", "/console/members", "回到会员名单")
    return WRITERS[kind](_export_rows(database, zone, context.user.username, listing, kind, reveal))
