"""Mediator console: the queue of cases, and the case page with everything a mediator does to a case.

Who may do what: every mediator sees every case and may add notes; a mediator claims an unassigned case,
and only admins assign cases to others or take one from a colleague; replying, starting, handing back and
closing are for the case's mediator (or an admin): `core.casework` holds these rules, and the REST API
(`api.routes.tickets_api`) applies them too.

Actions post back with the CSRF token and redirect (post/redirect/get); what happened travels to the next
page in a short-lived flash cookie.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BeforeValidator
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CaseworkDep, DatabaseDep, SettingsDep
from api.schemas.tickets import QueueStatus
from api.security import Console, ConsoleDep, CsrfChecked, console_page
from core.canned import canned_replies, fill
from core.casework import NoSuchCase, Refused, budget_of, refusal
from core.clock import aware, utcnow
from core.conversations import find_conversation
from core.settings import Settings
from core.tickets import (
    Category,
    Outcome,
    QueueFilter,
    Status,
    Ticket,
    TicketError,
    open_load,
    queue,
)
from core.transcript import transcript
from core.users import User, mediators
from core.validation import parse_amount

router = APIRouter(tags=["console"], include_in_schema=False)

FLASH = "console_flash"
POLL_SECONDS = 10
MAX_TEXT = 2000
CHANNELS = {"wechat": "微信", "telegram": "Telegram", "web": "网页"}
AUTHORS = {"worker": "职工", "bot": "小助手", "mediator": "调解员"}
CHANGES = {
    "created": "提交案件",
    "assigned": "分派",
    "status": "状态变更",
    "note": "内部备注",
    "reply": "回复职工",
    "reply_failed": "回复未送达",
    "worker_message": "职工留言",
    "info_added": "职工补充情况",
    "handoff": "接管对话",
    "handback": "交还小助手",
    "rating": "职工评价",
}
Blank = BeforeValidator(lambda value: value or None)


# ---- how things look ----


@dataclass(frozen=True)
class Display:
    """Formats for the templates: local times, money, waiting times and labels."""

    zone: ZoneInfo

    def when(self, moment: datetime | None) -> str:
        return f"{aware(moment).astimezone(self.zone):%Y-%m-%d %H:%M}" if moment else ""

    @staticmethod
    def waited(since: datetime, until: datetime | None = None) -> str:
        end = aware(until) if until else utcnow()
        minutes = max(0, int((end - aware(since)).total_seconds() // 60))
        days, hours = minutes // 1440, minutes % 1440 // 60
        if days:
            return f"{days}天{hours}小时"
        return f"{hours}小时{minutes % 60}分" if hours else f"{minutes}分钟"

    @staticmethod
    def money(amount: Decimal | None) -> str:
        return f"{amount:,.2f}" if amount is not None else ""

    @staticmethod
    def channel(name: str) -> str:
        return CHANNELS.get(name, name)

    @staticmethod
    def category(value: str) -> str:
        return Category(value).label

    @staticmethod
    def status(value: str) -> str:
        return Status(value).label

    @staticmethod
    def outcome(value: str | None) -> str:
        return Outcome(value).label if value else ""


def display(settings: Settings) -> Display:
    return Display(ZoneInfo(settings.timezone))


def go(url: str, text: str | None = None, error: bool = False) -> RedirectResponse:
    """Redirect after a post; `text` is shown once on the next page."""
    response = RedirectResponse(url, status.HTTP_303_SEE_OTHER)
    if text:
        value = quote(json.dumps({"text": text, "error": error}, ensure_ascii=False))
        response.set_cookie(FLASH, value, max_age=120, httponly=True, samesite="strict", path="/console")
    return response


def render(request: Request, name: str, context: Console, status_code: int = 200, **values: Any) -> Response:
    """A console page with the flash message, if one is waiting (it is then cleared)."""
    flash = None
    if FLASH in request.cookies:
        try:
            flash = json.loads(unquote(request.cookies[FLASH]))
        except ValueError:
            flash = None
    response = console_page(request, name, context, status_code, flash=flash, **values)
    if FLASH in request.cookies:
        response.delete_cookie(FLASH, path="/console")
    return response


def back_to(url: str, fallback: str) -> str:
    """Only console paths: a posted `back` must not become an open redirect."""
    return url if url.startswith("/console") and not url.startswith("//") else fallback


# ---- the queue ----


def queue_filter(
    state: QueueStatus, category: Category | None, area: str | None, overdue: bool, assignee_id: int | None
) -> QueueFilter:
    return QueueFilter(
        status=None if state in (QueueStatus.OPEN, QueueStatus.ALL) else Status(state),
        category=category,
        area=area or None,
        overdue=overdue,
        assignee_id=assignee_id,
        open_only=state == QueueStatus.OPEN,
    )


def areas(session: Session) -> list[str]:
    query = select(Ticket.area).where(Ticket.area.is_not(None)).distinct().order_by(Ticket.area)
    return list(session.scalars(query))


@router.get("/console", name="console_queue")
def queue_page(
    request: Request,
    context: ConsoleDep,
    database: DatabaseDep,
    settings: SettingsDep,
    state: Annotated[QueueStatus, Query(alias="status")] = QueueStatus.OPEN,
    category: Annotated[Category | None, Query(), Blank] = None,
    area: Annotated[str, Query(max_length=50)] = "",
    overdue: bool = False,
    mine: bool = False,
) -> Response:
    filters = queue_filter(state, category, area, overdue, context.user.id if mine else None)
    with database.session() as session:
        tickets = queue(session, filters)
        return render(
            request,
            "console/queue.html",
            context,
            tickets=tickets,
            show=display(settings),
            people=mediators(session),
            loads=open_load(session),
            areas=areas(session),
            overdue_count=sum(ticket.overdue() for ticket in tickets),
            chosen={"status": state, "category": category, "area": area, "overdue": overdue, "mine": mine},
            statuses=[
                (QueueStatus.OPEN, "全部未结"),
                *((QueueStatus(s.value), s.label) for s in Status),
                (QueueStatus.ALL, "全部"),
            ],
            categories=list(Category),
            here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        )


# ---- the case page ----


def _case_values(session: Session, ticket: Ticket, user: User) -> dict[str, Any]:
    """What the case page and its refreshed part show."""
    conversation = find_conversation(session, ticket.channel, ticket.user_id)
    budget = budget_of(ticket.channel, conversation)
    return {
        "ticket": ticket,
        "lines": transcript(session, ticket.channel, ticket.user_id),
        "budget": budget,
        "window_open": budget.window_ends is not None and aware(budget.window_ends) > utcnow(),
        "holding": conversation is not None and conversation.handoff_ticket_id == ticket.id,
        "refusal": refusal(ticket, user),
        "authors": AUTHORS,
        "change_labels": CHANGES,
    }


@router.get("/console/tickets/{ticket_id}", name="console_ticket")
def ticket_page(
    ticket_id: int, request: Request, context: ConsoleDep, database: DatabaseDep, settings: SettingsDep
) -> Response:
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return render(request, "console/ticket.html", context, status.HTTP_404_NOT_FOUND, ticket=None)
        user = session.get(User, context.user.id)
        canned = [(reply.title, fill(reply.body, ticket, user)) for reply in canned_replies(session)]
        return render(
            request,
            "console/ticket.html",
            context,
            **_case_values(session, ticket, user),
            show=display(settings),
            canned=canned,
            people=mediators(session),
            loads=open_load(session),
            outcomes=list(Outcome),
            poll_seconds=POLL_SECONDS,
        )


@router.get("/console/tickets/{ticket_id}/live", name="console_ticket_live")
def ticket_live(
    ticket_id: int, request: Request, context: ConsoleDep, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """The transcript, history and WeChat budget, which the case page fetches again every few seconds."""
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return Response(status_code=status.HTTP_404_NOT_FOUND)
        user = session.get(User, context.user.id)
        values = _case_values(session, ticket, user)
        response = console_page(
            request, "console/_ticket_live.html", context, **values, show=display(settings)
        )
    response.headers["Cache-Control"] = "no-store"
    return response


class NotDelivered(Exception):
    """The step was taken but did not reach the worker; the message says why."""


def _act(ticket_id: int, action: Callable[[], str], back: str = "") -> Response:
    """Run one action and go back with what happened (or why it did not)."""
    page = back_to(back, f"/console/tickets/{ticket_id}")
    try:
        return go(page, action())
    except NoSuchCase:
        return go("/console", "没有这个案件", error=True)
    except (Refused, TicketError) as reason:
        return go(page, f"没有完成：{reason}", error=True)
    except NotDelivered as reason:
        return go(page, str(reason), error=True)


TextForm = Annotated[str, Form(max_length=MAX_TEXT)]


@router.post("/console/tickets/{ticket_id}/assign", dependencies=[CsrfChecked])
def assign_action(
    ticket_id: int,
    context: ConsoleDep,
    casework: CaseworkDep,
    mediator_id: Annotated[int | None, Form(), Blank] = None,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Without `mediator_id` the caller claims the case."""

    def run() -> str:
        casework.assign(ticket_id, context.user.id, mediator_id)
        return "已认领，请尽快与职工联系" if mediator_id in (None, context.user.id) else "已分派"

    return _act(ticket_id, run, back)


@router.post("/console/tickets/{ticket_id}/start", dependencies=[CsrfChecked])
def start_action(ticket_id: int, context: ConsoleDep, casework: CaseworkDep) -> Response:
    def run() -> str:
        casework.start(ticket_id, context.user.id)
        return "已开始调解"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/note", dependencies=[CsrfChecked])
def note_action(ticket_id: int, context: ConsoleDep, casework: CaseworkDep, text: TextForm = "") -> Response:
    def run() -> str:
        casework.note(ticket_id, context.user.id, text)
        return "备注已保存（职工看不到）"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/reply", dependencies=[CsrfChecked])
def reply_action(
    ticket_id: int, context: ConsoleDep, casework: CaseworkDep, text: TextForm = ""
) -> Response:
    def run() -> str:
        delivery = casework.reply(ticket_id, context.user.id, text)
        if not delivery.delivered:
            raise NotDelivered(f"回复未送达：{delivery.reason}")
        return "回复已送达职工。职工接下来发的消息会转到这个案件，小助手只告诉职工“已转给调解员”，不再自动回答。"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/notice", dependencies=[CsrfChecked])
def notice_action(ticket_id: int, context: ConsoleDep, casework: CaseworkDep) -> Response:
    def run() -> str:
        delivery = casework.send_notice(ticket_id, context.user.id)
        if not delivery.delivered:
            raise NotDelivered(f"通知未发送：{delivery.reason}")
        return "已发送模板通知，请职工回复公众号"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/handback", dependencies=[CsrfChecked])
def handback_action(ticket_id: int, context: ConsoleDep, casework: CaseworkDep) -> Response:
    def run() -> str:
        casework.hand_back(ticket_id, context.user.id)
        return "对话已交还给小助手"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/close", dependencies=[CsrfChecked])
def close_action(
    ticket_id: int,
    context: ConsoleDep,
    casework: CaseworkDep,
    outcome: Annotated[str, Form()] = "",
    amount: Annotated[str, Form(max_length=30)] = "",
    note: TextForm = "",
) -> Response:
    def run() -> str:
        if outcome not in {choice.value for choice in Outcome}:
            raise TicketError("请选择结案结果")
        recovered = parse_amount(amount) if amount.strip() else None
        if amount.strip() and recovered is None:
            raise TicketError("挽回金额的格式不对，请填数字，例如 8000 或 2.5万")
        delivery = casework.close(ticket_id, context.user.id, Outcome(outcome), recovered, note.strip())
        if delivery.delivered:
            return "已结案，已请职工为这次帮助评分"
        return f"已结案，但评价邀请没有送达：{delivery.reason}"

    return _act(ticket_id, run)
