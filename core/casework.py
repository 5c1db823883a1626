"""Casework: what mediators and admins do to a dispute case, and who may do it.

Every mediator sees every case and may add notes; a mediator claims an unassigned case, and only admins
assign cases to others or take one from a colleague; replying, the WeChat notice, starting, handing back
and closing are for the case's mediator (or an admin). Each method takes the acting user and checks the
rule in the transaction that makes the change, with the case row locked: a case claimed or reassigned a
moment earlier is refused, never worked by two people.

Platform calls happen outside database transactions: a message to the worker is decided (the rule, an open
case, WeChat's customer-service budget) in one transaction, sent, and its result recorded in the next.

A mediator's reply takes the worker's conversation over: the worker's messages then go to the case (the
chat engine calls `relay_to_mediator`), until the mediator hands it back, closes the case or stays silent
too long.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from core.clock import aware, utcnow
from core.conversations import Conversation, find_conversation
from core.db import Database
from core.messages import Button, Channel, Reply
from core.outbound import DeliveryError, Outbound, QuotaExceeded, WindowClosed
from core.tickets import (
    Outcome,
    Ticket,
    TicketChange,
    TicketError,
    add_note,
    assign,
    close,
    record_handoff,
    record_reply,
    record_worker_message,
    start_mediation,
)
from core.transcript import Author, record_line
from core.users import User
from core.wording import render

BURST_GAP = timedelta(minutes=10)  # a worker quiet this long who writes again is told again where it goes
WECHAT_WINDOW = timedelta(hours=48)
WECHAT_BUDGET = 5
RATING_FLOW = "rating"  # the chat flow that takes the worker's score after a case is closed
RATING_SCORES = tuple(Button(f"{score}分", str(score)) for score in range(1, 6))


class Refused(Exception):
    """This user may not do this to this case; the message says why, in words for the console."""


class NoSuchCase(LookupError):
    pass


def may_assign(ticket: Ticket, mediator_id: int, user: User) -> None:
    if user.is_admin:
        return
    if mediator_id != user.id:
        raise Refused("只有管理员可以把案件分派给别人")
    if ticket.assignee_id not in (None, user.id):
        raise Refused(f"这个案件已由{ticket.assignee.display_name}负责，改派请联系管理员")


def may_work(ticket: Ticket, user: User) -> None:
    if user.is_admin or ticket.assignee_id == user.id:
        return
    if ticket.assignee_id is None:
        raise Refused("请先认领这个案件")
    raise Refused(f"这个案件由{ticket.assignee.display_name}负责")


def refusal(ticket: Ticket, user: User) -> str | None:
    """Why this user may not work the case, for the case page; None when they may."""
    try:
        may_work(ticket, user)
    except Refused as reason:
        return str(reason)
    return None


@dataclass(frozen=True)
class Budget:
    """WeChat allows 5 customer-service messages within 48 hours of the worker's last message."""

    limited: bool
    remaining: int
    window_ends: datetime | None

    @property
    def available(self) -> bool:
        return not self.limited or self.remaining > 0


def budget_of(channel: str, conversation: Conversation | None, now: datetime | None = None) -> Budget:
    if channel != Channel.WECHAT:
        return Budget(False, 0, None)
    if conversation is None or conversation.last_inbound_at is None:
        return Budget(True, 0, None)
    ends = aware(conversation.last_inbound_at) + WECHAT_WINDOW
    if ends <= (now or utcnow()):
        return Budget(True, 0, ends)
    return Budget(True, max(0, WECHAT_BUDGET - conversation.outbound_since_inbound), ends)


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    reason: str | None = None
    offer_notice: bool = False


NoticeSender = Callable[[str, str], None]


class Casework:
    def __init__(self, database: Database, outbound: Outbound, notice: NoticeSender | None = None) -> None:
        self.database = database
        self.outbound = outbound
        self.notice = notice

    def assign(self, ticket_id: int, actor_id: int, mediator_id: int | None = None) -> None:
        """Without `mediator_id` the actor claims the case."""
        with self._acting(ticket_id, actor_id, work=False) as (session, ticket, actor):
            mediator_id = mediator_id or actor.id
            may_assign(ticket, mediator_id, actor)
            mediator = session.get(User, mediator_id)
            if mediator is None:
                raise TicketError(f"no user {mediator_id}")
            assign(ticket, mediator, actor)

    def start(self, ticket_id: int, actor_id: int) -> None:
        with self._acting(ticket_id, actor_id) as (_, ticket, actor):
            start_mediation(ticket, actor)

    def note(self, ticket_id: int, actor_id: int, text: str) -> TicketChange:
        """Any mediator may leave a note on any case, open or closed; the worker never sees it."""
        if not text.strip():
            raise TicketError("备注是空的")
        with self._acting(ticket_id, actor_id, work=False) as (session, ticket, actor):
            add_note(ticket, actor, text)
            session.flush()
            return ticket.changes[-1]

    def reply(self, ticket_id: int, actor_id: int, text: str) -> Delivery:
        """Send the mediator's words to the worker's channel and take the conversation over."""
        text = text.strip()
        if not text:
            raise TicketError("回复是空的")
        with self._acting(ticket_id, actor_id, open_only=True) as (session, ticket, actor):
            channel, user_id = ticket.channel, ticket.user_id
            budget = budget_of(channel, find_conversation(session, channel, user_id))
            words = render("mediator_message.j2", mediator=actor.display_name, text=text)
            message = Reply(words, author=Author.MEDIATOR)
        if not budget.available:
            return self._failed(ticket_id, actor_id, text, "微信48小时客服消息额度已用完或已过期", notice=True)
        try:
            self.outbound.send(Channel(channel), user_id, message)
        except (WindowClosed, QuotaExceeded) as error:
            return self._failed(ticket_id, actor_id, text, error.reason, notice=True, spent=True)
        except DeliveryError as error:
            return self._failed(ticket_id, actor_id, text, error.reason)
        with self._recording(ticket_id, actor_id) as (session, ticket, actor):
            record_reply(ticket, actor, text)
            conversation = _conversation(session, ticket)
            conversation.outbound_since_inbound += 1
            if conversation.handoff_ticket_id != ticket.id:
                record_handoff(ticket, actor, taken=True)
            conversation.handoff_ticket_id, conversation.handoff_at = ticket.id, utcnow()
            record_line(session, channel, user_id, Author.MEDIATOR, message.text)
        return Delivery(True)

    def send_notice(self, ticket_id: int, actor_id: int) -> Delivery:
        """The fallback when the window is closed: a template notice asking the worker to get in touch."""
        with self._acting(ticket_id, actor_id, open_only=True) as (_, ticket, _actor):
            channel, user_id, number = ticket.channel, ticket.user_id, ticket.number or ""
        if self.notice is None or channel != Channel.WECHAT:
            return Delivery(False, "未配置微信模板消息（WECHAT_NOTICE_TEMPLATE_ID）")
        try:
            self.notice(user_id, number)
        except DeliveryError as error:
            return self._failed(ticket_id, actor_id, "[模板通知]", error.reason)
        with self._recording(ticket_id, actor_id) as (_, ticket, actor):
            record_reply(ticket, actor, "[已发送模板通知，请职工回复公众号]")
        return Delivery(True)

    def hand_back(self, ticket_id: int, actor_id: int) -> None:
        with self._acting(ticket_id, actor_id) as (session, ticket, actor):
            conversation = find_conversation(session, ticket.channel, ticket.user_id)
            if conversation is not None and conversation.handoff_ticket_id == ticket.id:
                _release(conversation)
                record_handoff(ticket, actor, taken=False)

    def close(
        self, ticket_id: int, actor_id: int, outcome: Outcome, amount: Decimal | None, note: str = ""
    ) -> Delivery:
        """Close, give the conversation back to the bot, and tell the worker the outcome and any amount
        recovered, asking them to rate the help."""
        with self._acting(ticket_id, actor_id, open_only=True) as (session, ticket, actor):
            close(ticket, outcome, amount, note, actor)
            conversation = _conversation(session, ticket)
            _release(conversation)
            conversation.enter(RATING_FLOW, "await", {"ticket_id": ticket.id, "number": ticket.number})
            conversation.remember(buttons=[[b.label, b.payload] for b in RATING_SCORES])
            channel, user_id = ticket.channel, ticket.user_id
            closing = render(
                "case_closed.j2",
                number=ticket.number,
                outcome=Outcome(ticket.outcome).label,
                amount=ticket.amount_recovered,
            )
            budget = budget_of(channel, conversation)
        if not budget.available:
            return Delivery(False, "微信客服消息额度不足，未能发送评价邀请")
        request = Reply(closing, RATING_SCORES)
        try:
            self.outbound.send(Channel(channel), user_id, request)
        except DeliveryError as error:
            return Delivery(False, f"评价邀请未送达：{error.reason}")
        with self._recording(ticket_id, actor_id) as (session, ticket, _):
            _conversation(session, ticket).outbound_since_inbound += 1
            record_line(session, channel, user_id, Author.BOT, request.text)
        return Delivery(True)

    def _failed(
        self, ticket_id: int, actor_id: int, text: str, reason: str, notice: bool = False, spent: bool = False
    ) -> Delivery:
        with self._recording(ticket_id, actor_id) as (session, ticket, actor):
            record_reply(ticket, actor, text, error=reason)
            if spent:
                _conversation(session, ticket).outbound_since_inbound = WECHAT_BUDGET
        return Delivery(False, reason, offer_notice=notice and self.notice is not None)

    @contextmanager
    def _acting(
        self, ticket_id: int, actor_id: int, *, work: bool = True, open_only: bool = False
    ) -> Iterator[tuple[Session, Ticket, User]]:
        """One unit of work on a locked case: the actor's permission (`work`: the case's mediator or an
        admin) and, with `open_only`, an open case are checked before the caller changes anything."""
        with self.database.write_session() as session:
            ticket = session.get(Ticket, ticket_id, with_for_update=True)
            actor = session.get(User, actor_id)
            if ticket is None:
                raise NoSuchCase(ticket_id)
            if actor is None:
                raise Refused("没有这个账号")
            if work:
                may_work(ticket, actor)
            if open_only and not ticket.is_open:
                raise TicketError(f"case {ticket.number} is closed")
            yield session, ticket, actor

    @contextmanager
    def _recording(self, ticket_id: int, actor_id: int) -> Iterator[tuple[Session, Ticket, User]]:
        """The record of what a platform call did, after it; the call itself was allowed in `_acting`."""
        with self.database.session() as session:
            yield session, session.get(Ticket, ticket_id), session.get(User, actor_id)


@dataclass(frozen=True)
class Relayed:
    """A worker's message passed to the case whose mediator holds the conversation."""

    number: str
    mediator: str | None
    acknowledge: bool  # the first message of a burst: the worker is told it reached the mediator


def relay_to_mediator(
    session: Session, conversation: Conversation, text: str, idle: timedelta, previous_message: datetime | None
) -> Relayed | None:
    """The worker's message for the mediator holding the conversation; None when nobody holds it (any more):
    the case is closed, or its mediator has been silent for `idle` and the bot answers again.

    One short acknowledgement per burst: for the first message since the mediator last wrote, or after the
    worker (whose message before this one came at `previous_message`) was quiet for `BURST_GAP`.
    """
    if conversation.handoff_ticket_id is None:
        return None
    ticket = session.get(Ticket, conversation.handoff_ticket_id)
    now = utcnow()
    mediator_wrote = aware(conversation.handoff_at)  # set again by each of the mediator's replies
    if ticket is None or not ticket.is_open or now - mediator_wrote > idle:
        if ticket is not None and ticket.is_open:
            record_handoff(ticket, None, taken=False)
        _release(conversation)
        return None
    record_worker_message(ticket, text)
    new_burst = (
        previous_message is None
        or aware(previous_message) < mediator_wrote
        or now - aware(previous_message) >= BURST_GAP
    )
    mediator = ticket.assignee.display_name if ticket.assignee else None
    return Relayed(ticket.number or "", mediator, acknowledge=new_burst)


def _release(conversation: Conversation) -> None:
    conversation.handoff_ticket_id, conversation.handoff_at = None, None


def _conversation(session: Session, ticket: Ticket) -> Conversation:
    conversation = find_conversation(session, ticket.channel, ticket.user_id)
    if conversation is None:
        conversation = Conversation(
            channel=ticket.channel, user_id=ticket.user_id, data={}, context={}, outbound_since_inbound=0
        )
        session.add(conversation)
    return conversation
