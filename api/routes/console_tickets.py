"""Mediator console: the queue of cases, and the case page with everything a mediator does to a case.

Who may do what: every mediator sees every case and may add notes; a mediator claims an unassigned case,
and only admins assign cases to others or take one from a colleague; replying, starting, handing back and
closing are for the case's mediator (or an admin). The REST API (`api.routes.tickets_api`) applies the same
rules through the functions here.

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
from api.deps import DatabaseDep, MediationDep
from api.schemas.tickets import MAX_SEARCH, QueueStatus, queue_filter
from api.security import ConsoleDep, CsrfChecked
from bot.mediation import budget_of
from core.canned import canned_replies, fill
from core.conversations import aware, find_conversation
from core.db import Database
from core.laws import utcnow
from core.tickets import (
    Category,
    Outcome,
    Status,
    Ticket,
    TicketError,
    TicketEvent,
    add_note,
    assign,
    open_load,
    queue,
    start_mediation,
)
from core.transcript import transcript
from core.users import User, mediators
from core.validation import parse_amount

router = APIRouter(tags=["console"], include_in_schema=False)

POLL_SECONDS = 10
MAX_TEXT = 2000
AUTHORS = {"worker": "职工", "bot": "小助手", "mediator": "调解员"}
EVENTS = {
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


# ---- who may do what (shared with the REST API) ----


class Refused(Exception):
    """This user may not do this to this case; the message says why, in words for the console."""


class NoSuchCase(LookupError):
    pass


class NotDelivered(Exception):
    """The step was taken but did not reach the worker; the message says why."""


def load(session: Session, ticket_id: int, user_id: int) -> tuple[Ticket, User]:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NoSuchCase(ticket_id)
    return ticket, session.get(User, user_id)


def check_assign(ticket: Ticket, mediator_id: int, user: User) -> None:
    if user.is_admin:
        return
    if mediator_id != user.id:
        raise Refused("只有管理员可以把案件分派给别人")
    if ticket.assignee_id not in (None, user.id):
        raise Refused(f"这个案件已由{ticket.assignee.display_name}负责，改派请联系管理员")


def check_work(ticket: Ticket, user: User) -> None:
    if user.is_admin or ticket.assignee_id == user.id:
        return
    if ticket.assignee_id is None:
        raise Refused("请先认领这个案件")
    raise Refused(f"这个案件由{ticket.assignee.display_name}负责")


def refusal(ticket: Ticket, user: User) -> str | None:
    try:
        check_work(ticket, user)
    except Refused as reason:
        return str(reason)
    return None


def assign_case(database: Database, ticket_id: int, user_id: int, mediator_id: int | None) -> None:
    with database.session() as session:
        ticket, user = load(session, ticket_id, user_id)
        mediator_id = mediator_id or user.id
        check_assign(ticket, mediator_id, user)
        mediator = session.get(User, mediator_id)
        if mediator is None:
            raise TicketError(f"no user {mediator_id}")
        assign(ticket, mediator, user)


def start_case(database: Database, ticket_id: int, user_id: int) -> None:
    with database.session() as session:
        ticket, user = load(session, ticket_id, user_id)
        check_work(ticket, user)
        start_mediation(ticket, user)


def note_case(database: Database, ticket_id: int, user_id: int, text: str) -> TicketEvent:
    """Any mediator may leave a note on any case, open or closed."""
    with database.session() as session:
        ticket, user = load(session, ticket_id, user_id)
        add_note(ticket, user, text)
        session.flush()
        return ticket.events[-1]


def check_may_work(database: Database, ticket_id: int, user_id: int, must_be_open: bool = True) -> None:
    """Before a mediation step that reaches the worker: the right mediator, and a case still open."""
    with database.session() as session:
        ticket, user = load(session, ticket_id, user_id)
        check_work(ticket, user)
        if must_be_open and not ticket.is_open:
            raise TicketError(f"case {ticket.number} is closed")


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
        "events_labels": EVENTS,
    }


@router.get("/console/tickets/{ticket_id}", name="console_ticket")
def ticket_page(ticket_id: int, request: Request, context: ConsoleDep, database: DatabaseDep) -> Response:
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
def ticket_live(ticket_id: int, request: Request, context: ConsoleDep, database: DatabaseDep) -> Response:
    """The transcript, history and WeChat budget, which the case page fetches again every few seconds."""
    with database.session() as session:
        ticket = _case(session, ticket_id)
        user = session.get(User, context.user.id)
        return fragment(request, "console/_ticket_live.html", context, **_case_values(session, ticket, user))


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
    ticket_id: int,
    context: ConsoleDep,
    database: DatabaseDep,
    mediator_id: Annotated[int | None, Form(), Blank] = None,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Without `mediator_id` the caller claims the case."""

    def run() -> str:
        assign_case(database, ticket_id, context.user.id, mediator_id)
        return "已认领，请尽快与职工联系" if mediator_id in (None, context.user.id) else "已分派"

    return _act(ticket_id, run, back)


@router.post("/console/tickets/{ticket_id}/start", dependencies=[CsrfChecked])
def start_action(ticket_id: int, context: ConsoleDep, database: DatabaseDep) -> Response:
    def run() -> str:
        start_case(database, ticket_id, context.user.id)
        return "已开始调解"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/note", dependencies=[CsrfChecked])
def note_action(ticket_id: int, context: ConsoleDep, database: DatabaseDep, text: TextForm = "") -> Response:
    def run() -> str:
        if not text.strip():
            raise TicketError("备注是空的")
        note_case(database, ticket_id, context.user.id, text)
        return "备注已保存（职工看不到）"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/reply", dependencies=[CsrfChecked])
def reply_action(
    ticket_id: int, context: ConsoleDep, database: DatabaseDep, mediation: MediationDep, text: TextForm = ""
) -> Response:
    def run() -> str:
        if not text.strip():
            raise TicketError("回复是空的")
        check_may_work(database, ticket_id, context.user.id)
        delivery = mediation.reply(ticket_id, context.user.id, text)
        if not delivery.delivered:
            raise NotDelivered(f"回复未送达：{delivery.reason}")
        return "回复已送达职工。职工接下来发的消息会转到这个案件，小助手不会插话。"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/notice", dependencies=[CsrfChecked])
def notice_action(
    ticket_id: int, context: ConsoleDep, database: DatabaseDep, mediation: MediationDep
) -> Response:
    def run() -> str:
        check_may_work(database, ticket_id, context.user.id)
        delivery = mediation.send_notice(ticket_id, context.user.id)
        if not delivery.delivered:
            raise NotDelivered(f"通知未发送：{delivery.reason}")
        return "已发送模板通知，请职工回复公众号"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/handback", dependencies=[CsrfChecked])
def handback_action(
    ticket_id: int, context: ConsoleDep, database: DatabaseDep, mediation: MediationDep
) -> Response:
    def run() -> str:
        check_may_work(database, ticket_id, context.user.id, must_be_open=False)
        mediation.hand_back(ticket_id, context.user.id)
        return "对话已交还给小助手"

    return _act(ticket_id, run)


@router.post("/console/tickets/{ticket_id}/close", dependencies=[CsrfChecked])
def close_action(
    ticket_id: int,
    context: ConsoleDep,
    database: DatabaseDep,
    mediation: MediationDep,
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
        check_may_work(database, ticket_id, context.user.id)
        delivery = mediation.close(ticket_id, context.user.id, Outcome(outcome), recovered, note.strip())
        if delivery.delivered:
            return "已结案，已请职工为这次帮助评分"
        return f"已结案，但评价邀请没有送达：{delivery.reason}"

    return _act(ticket_id, run)
