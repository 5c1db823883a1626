"""What a mediator does to a case that reaches the worker: replies, taking over and handing back the
conversation, the WeChat customer-service budget and its fallback notice, closing and the rating request.

Platform calls happen outside database transactions; each step's result is recorded afterwards.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from core.conversations import Conversation, aware, find_conversation
from core.db import Database
from core.laws import utcnow
from core.tickets import Outcome, Ticket, TicketError, close, record_handoff, record_reply
from core.transcript import Author, record_line
from core.users import User
from bot.flows.rating import rating_buttons
from bot.messages import Channel, Reply
from bot.outbound import DeliveryError, Outbound, QuotaExceeded, WindowClosed
from bot.templates import render

WECHAT_WINDOW = timedelta(hours=48)
WECHAT_BUDGET = 5


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


class Mediation:
    def __init__(self, database: Database, outbound: Outbound, notice: NoticeSender | None = None) -> None:
        self.database = database
        self.outbound = outbound
        self.notice = notice

    def budget(self, ticket: Ticket) -> Budget:
        with self.database.session() as session:
            return budget_of(ticket.channel, find_conversation(session, ticket.channel, ticket.user_id))

    def reply(self, ticket_id: int, mediator_id: int, text: str) -> Delivery:
        """Send the mediator's words to the worker's channel and take the conversation over."""
        text = text.strip()
        if not text:
            raise TicketError("the reply is empty")
        with self.database.session() as session:
            ticket, mediator = self._load(session, ticket_id, mediator_id)
            channel, user_id = ticket.channel, ticket.user_id
            budget = budget_of(channel, find_conversation(session, channel, user_id))
            name = mediator.display_name
        if not budget.available:
            return self._failed(ticket_id, mediator_id, text, "微信48小时客服消息额度已用完或已过期", notice=True)
        message = Reply(render("mediator_message.j2", mediator=name, text=text), author=Author.MEDIATOR)
        try:
            self.outbound.send(Channel(channel), user_id, message)
        except (WindowClosed, QuotaExceeded) as error:
            return self._failed(ticket_id, mediator_id, text, error.reason, notice=True, spent=True)
        except DeliveryError as error:
            return self._failed(ticket_id, mediator_id, text, error.reason)
        with self.database.session() as session:
            ticket, mediator = self._load(session, ticket_id, mediator_id)
            record_reply(ticket, mediator, text)
            conversation = self._conversation(session, ticket)
            conversation.outbound_since_inbound += 1
            if conversation.handoff_ticket_id != ticket.id:
                record_handoff(ticket, mediator, taken=True)
            conversation.handoff_ticket_id, conversation.handoff_at = ticket.id, utcnow()
            record_line(session, channel, user_id, Author.MEDIATOR, message.text)
        return Delivery(True)

    def send_notice(self, ticket_id: int, mediator_id: int) -> Delivery:
        """The fallback when the window is closed: a template notice asking the worker to get in touch."""
        with self.database.session() as session:
            ticket, _ = self._load(session, ticket_id, mediator_id)
            channel, user_id, number = ticket.channel, ticket.user_id, ticket.number or ""
        if self.notice is None or channel != Channel.WECHAT:
            return Delivery(False, "未配置微信模板消息（WECHAT_NOTICE_TEMPLATE_ID）")
        try:
            self.notice(user_id, number)
        except DeliveryError as error:
            return self._failed(ticket_id, mediator_id, "[模板通知]", error.reason)
        with self.database.session() as session:
            ticket, mediator = self._load(session, ticket_id, mediator_id)
            record_reply(ticket, mediator, "[已发送模板通知，请职工回复公众号]")
        return Delivery(True)

    def hand_back(self, ticket_id: int, mediator_id: int) -> None:
        with self.database.session() as session:
            ticket, mediator = self._load(session, ticket_id, mediator_id)
            conversation = find_conversation(session, ticket.channel, ticket.user_id)
            if conversation is not None and conversation.handoff_ticket_id == ticket.id:
                conversation.handoff_ticket_id, conversation.handoff_at = None, None
                record_handoff(ticket, mediator, taken=False)

    def close(
        self, ticket_id: int, mediator_id: int, outcome: Outcome, amount: Decimal | None, note: str = ""
    ) -> Delivery:
        """Close, give the conversation back to the bot and ask the worker for a rating."""
        with self.database.session() as session:
            ticket, mediator = self._load(session, ticket_id, mediator_id)
            close(ticket, outcome, amount, note, mediator)
            conversation = self._conversation(session, ticket)
            conversation.handoff_ticket_id, conversation.handoff_at = None, None
            conversation.enter("rating", "await", {"ticket_id": ticket.id, "number": ticket.number})
            conversation.remember(buttons=[[b.label, b.payload] for b in rating_buttons()])
            channel, user_id, number = ticket.channel, ticket.user_id, ticket.number
            budget = budget_of(channel, conversation)
        if not budget.available:
            return Delivery(False, "微信客服消息额度不足，未能发送评价邀请")
        request = Reply(render("rating_prompt.j2", number=number), rating_buttons())
        try:
            self.outbound.send(Channel(channel), user_id, request)
        except DeliveryError as error:
            return Delivery(False, f"评价邀请未送达：{error.reason}")
        with self.database.session() as session:
            self._conversation(session, ticket).outbound_since_inbound += 1
            record_line(session, channel, user_id, Author.BOT, request.text)
        return Delivery(True)

    def _failed(
        self, ticket_id: int, mediator_id: int, text: str, reason: str, notice: bool = False, spent: bool = False
    ) -> Delivery:
        with self.database.session() as session:
            ticket, mediator = self._load(session, ticket_id, mediator_id)
            record_reply(ticket, mediator, text, error=reason)
            if spent:
                self._conversation(session, ticket).outbound_since_inbound = WECHAT_BUDGET
        return Delivery(False, reason, offer_notice=notice and self.notice is not None)

    @staticmethod
    def _load(session: Session, ticket_id: int, mediator_id: int) -> tuple[Ticket, User]:
        ticket, mediator = session.get(Ticket, ticket_id), session.get(User, mediator_id)
        if ticket is None or mediator is None:
            raise TicketError("no such case or mediator")
        return ticket, mediator

    @staticmethod
    def _conversation(session: Session, ticket: Ticket) -> Conversation:
        conversation = find_conversation(session, ticket.channel, ticket.user_id)
        if conversation is None:
            conversation = Conversation(channel=ticket.channel, user_id=ticket.user_id, data={}, context={})
            session.add(conversation)
        return conversation
