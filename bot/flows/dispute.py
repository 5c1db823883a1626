"""Dispute intake: the worker's case taken down as a form, then handed to the mediators.

Nothing is stored until the worker has consented and confirmed the summary; 取消 at any step (handled by
the engine) discards everything.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.flows.base import Turn
from bot.forms import Field, Form, text_between
from bot.intents import compact
from core.messages import Button, Reply
from bot.replies import say
from core.clock import local
from core.wording import render
from core.tickets import CATEGORY_LABELS, Category, Deadline, Intake, Status, Ticket, open_ticket
from core.validation import parse_amount, parse_mobile

AREA_WORDS = {
    "天津港片区": ("天津港", "东疆", "港区"),
    "天津机场片区": ("机场", "空港"),
    "滨海新区中心商务片区": ("中心商务", "商务区", "于家堡", "响螺湾"),
}
CONTACT_TIMES = ("工作日白天", "工作日晚上", "周末", "随时都可以")
CATEGORY_WORDS: dict[Category, tuple[str, ...]] = {
    Category.WAGES: ("欠薪", "工资", "工钱", "拖欠", "克扣"),
    Category.DISMISSAL: ("解除", "辞退", "开除", "裁员", "炒鱿鱼", "被裁"),
    Category.WORK_INJURY: ("工伤", "受伤", "职业病"),
    Category.SOCIAL_INSURANCE: ("社保", "社会保险", "五险", "医保", "养老"),
    Category.OVERTIME: ("加班",),
    Category.CONTRACT: ("合同",),
    Category.OTHER: ("其他", "别的"),
}
TOPIC_CATEGORY = {
    "wages": Category.WAGES,
    "dismissal": Category.DISMISSAL,
    "work_injury": Category.WORK_INJURY,
    "social_insurance": Category.SOCIAL_INSURANCE,
    "hours": Category.OVERTIME,
    "contracts": Category.CONTRACT,
}
WEEKDAYS = "一二三四五六日"
# A worker may paste their whole story: the case keeps it (WeChat's body cap bounds it well below this).
MAX_DESCRIPTION = 100_000
SUMMARY_EXCERPT = 200


@dataclass
class DisputeAnswers:
    category: Category | None = None
    employer: str | None = None
    description: str | None = None
    amount: Decimal | None = None
    worker_name: str | None = None
    phone: str | None = None
    contact_time: str | None = None
    area: str | None = None


def parse_category(text: str) -> Category | None:
    words = compact(text)
    for category, label in CATEGORY_LABELS.items():
        if words == label:
            return category
    return next((c for c, keys in CATEGORY_WORDS.items() if any(k in words for k in keys)), None)


def category_buttons(turn: Turn) -> tuple[Button, ...]:
    """The category of the question just answered comes first."""
    suggested = TOPIC_CATEGORY.get(turn.conversation.context.get("topic") or "")
    order = sorted(Category, key=lambda c: c != suggested)
    return tuple(Button(CATEGORY_LABELS[c], CATEGORY_LABELS[c]) for c in order)


def parse_area(text: str) -> str | None:
    return next((area for area, words in AREA_WORDS.items() if any(word in text for word in words)), None)


def excerpt(description: str) -> str:
    """The summary to confirm shows the start of a long description and says the rest is kept."""
    if len(description) <= SUMMARY_EXCERPT:
        return description
    return render("dispute_excerpt.j2", description=description, limit=SUMMARY_EXCERPT)


def yuan(amount: Decimal) -> str:
    return f"{amount.normalize():f} 元"


def promised(due: datetime, zone: str) -> str:
    """'11月23日（周一）17:00': the day, its weekday and the hour, as the worker reads a promise."""
    shown = local(due, zone)  # a naive due time (SQLite) is UTC, whatever the host's zone
    return f"{shown.month}月{shown.day}日（周{WEEKDAYS[shown.weekday()]}）{shown.hour:02d}:{shown.minute:02d}"


class DisputeForm(Form[DisputeAnswers]):
    name = "dispute"
    state = DisputeAnswers
    fields = (
        Field("category", "类型", parse_category, "dispute_category.j2", "dispute_category_again.j2",
              category_buttons, shown=lambda category: Category(category).label),
        Field("employer", "单位", text_between(2, 100), "dispute_employer.j2", "dispute_employer_again.j2"),
        Field("description", "情况", text_between(6, MAX_DESCRIPTION), "dispute_description.j2",
              "dispute_description_again.j2", shown=excerpt),
        Field("amount", "金额", parse_amount, "dispute_amount.j2", "dispute_amount_again.j2", optional=True,
              shown=yuan),
        Field("worker_name", "称呼", text_between(1, 20), "dispute_worker_name.j2", "dispute_worker_name_again.j2",
              optional=True),
        Field("phone", "手机", parse_mobile, "dispute_phone.j2", "dispute_phone_again.j2"),
        Field("contact_time", "联系时间", text_between(2, 50), "dispute_contact_time.j2",
              "dispute_contact_time_again.j2", tuple(Button(t, t) for t in CONTACT_TIMES)),
        Field("area", "片区", parse_area, "dispute_area.j2", "dispute_area_again.j2",
              tuple(Button(a, a) for a in AREA_WORDS), optional=True),
    )
    consent = "dispute_consent.j2"
    declined = "dispute_declined.j2"
    summary = "dispute_summary.j2"

    def __init__(self, deadline: Deadline, notify: Callable[[Ticket], None]) -> None:
        self.deadline = deadline
        self.notify = notify

    def submit(self, turn: Turn, state: DisputeAnswers) -> tuple[list[Reply], int | None]:
        ticket = open_ticket(turn.session, self._intake(turn, state), self.deadline)
        self.notify(ticket)
        due = promised(ticket.first_response_due, self.deadline.zone)
        return [say("dispute_created.j2", number=ticket.number, due=due)], ticket.id

    def already(self, turn: Turn, record_id: int) -> list[Reply] | None:
        ticket = turn.session.get(Ticket, record_id)
        if ticket is None:
            return None
        due = promised(ticket.first_response_due, self.deadline.zone)
        return [say("dispute_already.j2", number=ticket.number, due=due, status=Status(ticket.status).label,
                    is_open=ticket.is_open, answered=ticket.first_responded_at is not None)]

    @staticmethod
    def _intake(turn: Turn, state: DisputeAnswers) -> Intake:
        return Intake(
            channel=turn.message.channel,
            user_id=turn.message.user_id,
            category=state.category,
            employer=state.employer,
            description=state.description,
            amount_claimed=state.amount,
            phone=state.phone,
            contact_time=state.contact_time,
            area=state.area,
            worker_name=state.worker_name,
        )
