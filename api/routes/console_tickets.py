"""Mediator console: the queue of cases, and the case page with everything a mediator does to a case.

Who may do what: every mediator sees every case and may add notes; a mediator claims an unassigned case,
and only admins assign cases to others or take one from a colleague; replying, starting, handing back and
closing are for the case's mediator (or an admin): `core.casework` holds these rules, and the REST API
(`api.routes.tickets_api`) applies them too.

Actions post back with the CSRF token and end in `api.console.redirect`, which tells the next page what
happened.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console import Level, NotFound, back_to, fragment, redirect, render
from api.deps import CaseworkDep, DatabaseDep
from api.schemas.ids import Id
from api.schemas.tickets import MAX_SEARCH, QueueStatus, queue_filter
from api.security import ConsoleDep, CsrfChecked
from core.canned import canned_replies, fill
from core.casework import NoSuchCase, Refused, budget_of, refusal
from core.clock import aware, utcnow
from core.conversations import find_conversation
from core.tickets import (
    Category,
    Outcome,
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

POLL_SECONDS = 10
MAX_TEXT = 2000
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


# ---- the queue ----


def areas(session: Session) -> list[str]:
    query = select(Ticket.area).where(Ticket.area.is_not(None)).distinct().order_by(Ticket.area)
    return list(session.scalars(query))


@router.get("/console", name="console_queue")
def queue_page(
    request: Request,
    context: ConsoleDep,
    database: DatabaseDep,
    state: Annotated[QueueStatus, Query(alias="status")] = QueueStatus.OPEN,
    category: Annotated[Category | None, Query(), Blank] = None,
    area: Annotated[str, Query(max_length=50)] = "",
    overdue: bool = False,
    mine: bool = False,
    q: Annotated[str, Query(max_length=MAX_SEARCH)] = "",
) -> Response:
    filters = queue_filter(state, category, area, overdue, context.user.id if mine else None, q)
    with database.session() as session:
        tickets = queue(session, filters)
        return render(
            request,
            "console/queue.html",
            context,
            tickets=tickets,
            people=mediators(session),
            loads=open_load(session),
            areas=areas(session),
            overdue_count=sum(ticket.overdue() for ticket in tickets),
            chosen={
                "status": state, "category": category, "area": area, "overdue": overdue, "mine": mine, "q": q
            },
            statuses=[
                (QueueStatus.OPEN, "全部未结"),
                *((QueueStatus(s.value), s.label) for s in Status),
                (QueueStatus.ALL, "全部"),
            ],
            categories=list(Category),
            here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        )


# ---- the case page ----


def _case(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("没有这个案件")
    return ticket


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
def ticket_page(ticket_id: Id, request: Request, context: ConsoleDep, database: DatabaseDep) -> Response:
    with database.session() as session:
        ticket = _case(session, ticket_id)
        user = session.get(User, context.user.id)
        canned = [(reply.title, fill(reply.body, ticket, user)) for reply in canned_replies(session)]
        return render(
            request,
            "console/ticket.html",
            context,
            **_case_values(session, ticket, user),
            canned=canned,
            people=mediators(session),
            loads=open_load(session),
            outcomes=list(Outcome),
            poll_seconds=POLL_SECONDS,
        )


@router.get("/console/tickets/{ticket_id}/live", name="console_ticket_live")
def ticket_live(ticket_id: Id, request: Request, context: ConsoleDep, database: DatabaseDep) -> Response:
    """The transcript, history and WeChat budget, which the case page fetches again every few seconds."""
    with database.session() as session:
        ticket = _case(session, ticket_id)
        user = session.get(User, context.user.id)
        return fragment(request, "console/_ticket_live.html", context, **_case_values(session, ticket, user))


class NotDelivered(Exception):
    """The step was taken but did not reach the worker; the message says why."""


def _act(ticket_id: int, action: Callable[[], str], back: str = "") -> Response:
    """Run one action and go back with what happened (or why it did not)."""
    page = back_to(back, f"/console/tickets/{ticket_id}")
    try:
        return redirect(page, action())
    except NoSuchCase:
        raise NotFound("没有这个案件") from None
    except (Refused, TicketError) as reason:
        return redirect(page, f"没有完成：{reason}", Level.ERROR)
    except NotDelivered as reason:
        return redirect(page, str(reason), Level.ERROR)


TextForm = Annotated[str, Form(max_length=MAX_TEXT)]


@router.post("/console/tickets/{ticket_id}/assign", dependencies=[CsrfChecked])
def assign_action(
    ticket_id: Id,
    context: ConsoleDep,
    casework: CaseworkDep,
    mediator_id: Annotated[Id | None, Form(), Blank] = None,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Without `mediator_id` the caller claims the case."""

    def run() -> str:
        casework.assign(ticket_id, context.user.id, mediator_id)
        return "已认领，请尽快与职工联系" if mediator_id in (None, context.user.id) else "已分派"

    return _act(ticket_id, run, back)


@router.post("/console/tickets/{ticket_id}/start", dependencies=[CsrfChecked])
def start_action(ticket_id: Id, context: ConsoleDep, casework: CaseworkDep) -> Response:
    def run() -> str:
        casework.start(ticket_id, context.user.id)
        return "已开始调解"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/note", dependencies=[CsrfChecked])
def note_action(ticket_id: Id, context: ConsoleDep, casework: CaseworkDep, text: TextForm = "") -> Response:
    def run() -> str:
        casework.note(ticket_id, context.user.id, text)
        return "备注已保存（职工看不到）"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/reply", dependencies=[CsrfChecked])
def reply_action(
    ticket_id: Id, context: ConsoleDep, casework: CaseworkDep, text: TextForm = ""
) -> Response:
    def run() -> str:
        delivery = casework.reply(ticket_id, context.user.id, text)
        if not delivery.delivered:
            raise NotDelivered(f"回复未送达：{delivery.reason}")
        return "回复已送达职工。职工接下来发的消息会转到这个案件，小助手只告诉职工“已转给调解员”，不再自动回答。"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/notice", dependencies=[CsrfChecked])
def notice_action(ticket_id: Id, context: ConsoleDep, casework: CaseworkDep) -> Response:
    def run() -> str:
        delivery = casework.send_notice(ticket_id, context.user.id)
        if not delivery.delivered:
            raise NotDelivered(f"通知未发送：{delivery.reason}")
        return "已发送模板通知，请职工回复公众号"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/handback", dependencies=[CsrfChecked])
def handback_action(ticket_id: Id, context: ConsoleDep, casework: CaseworkDep) -> Response:
    def run() -> str:
        casework.hand_back(ticket_id, context.user.id)
        return "对话已交还给小助手"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/close", dependencies=[CsrfChecked])
def close_action(
    ticket_id: Id,
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
