"""Dispute intake: the worker's case taken down in conversation, checked field by field, then handed on.

Each step validates its answer and re-asks helpfully; nothing is stored until the worker has
consented and confirmed the summary. 取消 at any step (handled by the engine) discards everything.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.flows.base import Turn
from bot.intents import compact
from core.messages import Button, Reply
from bot.replies import say
from core.tickets import CATEGORY_LABELS, Category, Deadline, Intake, Ticket, open_ticket
from core.validation import parse_amount, parse_mobile

SKIP_WORDS = ("跳过", "不清楚", "不知道", "没有", "无", "不涉及", "不确定")
AREA_WORDS = {
    "天津港片区": ("天津港", "东疆", "港区"),
    "天津机场片区": ("机场", "空港"),
    "滨海新区中心商务片区": ("中心商务", "商务区", "于家堡", "响螺湾"),
}
AREAS = tuple(AREA_WORDS)
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
CONFIRM = Button("确认提交", "确认提交")
RESTART = Button("重新填写", "重新填写")
YES, NO = Button("同意", "同意"), Button("不同意", "不同意")


def category_buttons(suggested: Category | None) -> tuple[Button, ...]:
    order = sorted(Category, key=lambda c: c != suggested)
    return tuple(Button(CATEGORY_LABELS[c], CATEGORY_LABELS[c]) for c in order)


def parse_category(text: str) -> Category | None:
    words = compact(text)
    for category, label in CATEGORY_LABELS.items():
        if words == label:
            return category
    return next((c for c, keys in CATEGORY_WORDS.items() if any(k in words for k in keys)), None)


def _text_between(low: int, high: int) -> Callable[[str], str | None]:
    return lambda text: text.strip() if low <= len(text.strip()) <= high else None


def _optional_amount(text: str) -> Decimal | str | None:
    if compact(text) in SKIP_WORDS:
        return ""
    return parse_amount(text)


def _area(text: str) -> str | None:
    if compact(text) in SKIP_WORDS:
        return ""
    return next((area for area, words in AREA_WORDS.items() if any(word in text for word in words)), None)


@dataclass(frozen=True)
class Step:
    name: str
    parse: Callable[[str], object]
    buttons: tuple[Button, ...] = ()


STEPS = (
    Step("employer", _text_between(2, 100)),
    Step("description", _text_between(6, 1000)),
    Step("amount", _optional_amount),
    Step("phone", parse_mobile),
    Step("contact_time", _text_between(2, 50), tuple(Button(t, t) for t in CONTACT_TIMES)),
    Step("area", _area, tuple(Button(a, a) for a in AREAS) + (Button("不清楚", "不清楚"),)),
)
NEXT = {step.name: later.name for step, later in zip(STEPS, STEPS[1:])}
BY_NAME = {step.name: step for step in STEPS}


class DisputeFlow:
    name = "dispute"

    def __init__(self, deadline: Deadline, notify: Callable[[Ticket], None]) -> None:
        self.deadline = deadline
        self.notify = notify

    def start(self, turn: Turn) -> list[Reply]:
        suggested = TOPIC_CATEGORY.get(turn.conversation.context.get("topic") or "")
        turn.conversation.enter(self.name, "category")
        return [say("dispute_category.j2", category_buttons(suggested))]

    def handle(self, turn: Turn) -> list[Reply]:
        step = turn.conversation.step
        if step == "category":
            return self._category(turn)
        if step == "consent":
            return self._consent(turn)
        if step == "confirm":
            return self._confirm(turn)
        return self._field(turn, BY_NAME[step])

    def _category(self, turn: Turn) -> list[Reply]:
        category = parse_category(turn.text)
        if category is None:
            return [say("dispute_category_again.j2", category_buttons(None))]
        turn.conversation.advance("employer", category=category.value)
        return [say("dispute_employer.j2")]

    def _field(self, turn: Turn, step: Step) -> list[Reply]:
        value = step.parse(turn.text)
        if value is None:
            return [say(f"dispute_{step.name}_again.j2", step.buttons)]
        stored = str(value) if isinstance(value, Decimal) else value
        following = NEXT.get(step.name, "consent")
        turn.conversation.advance(following, **{step.name: stored})
        if following == "consent":
            return [say("dispute_consent.j2", (YES, NO))]
        return [say(f"dispute_{following}.j2", BY_NAME[following].buttons)]

    def _consent(self, turn: Turn) -> list[Reply]:
        answer = compact(turn.text)
        if answer in ("不同意", "不", "否", "拒绝"):
            turn.conversation.leave()
            return [say("dispute_declined.j2")]
        if answer not in ("同意", "是", "好", "好的", "可以", "我同意"):
            return [say("dispute_consent_again.j2", (YES, NO))]
        turn.conversation.advance("confirm", consent=True)
        return [self._summary(turn)]

    def _summary(self, turn: Turn) -> Reply:
        data = turn.conversation.data
        return say(
            "dispute_summary.j2",
            (CONFIRM, RESTART),
            category=CATEGORY_LABELS[Category(data["category"])],
            employer=data["employer"],
            description=data["description"],
            amount=f"{data['amount']} 元" if data.get("amount") else "",
            phone=data["phone"],
            contact_time=data["contact_time"],
            area=data.get("area") or "",
        )

    def _confirm(self, turn: Turn) -> list[Reply]:
        answer = compact(turn.text)
        if answer == "重新填写":
            return self.start(turn)
        if answer not in ("确认提交", "确认", "提交", "没问题"):
            return [say("dispute_confirm_again.j2", (CONFIRM, RESTART))]
        ticket = open_ticket(turn.session, self._intake(turn), self.deadline)
        turn.conversation.leave()
        self.notify(ticket)
        due = ticket.first_response_due.astimezone(ZoneInfo(self.deadline.zone))
        return [say("dispute_created.j2", number=ticket.number, due=_readable(due.date(), due.hour))]

    def _intake(self, turn: Turn) -> Intake:
        data = turn.conversation.data
        return Intake(
            channel=turn.message.channel,
            user_id=turn.message.user_id,
            category=Category(data["category"]),
            employer=data["employer"],
            description=data["description"],
            amount_claimed=Decimal(data["amount"]) if data.get("amount") else None,
            phone=data["phone"],
            contact_time=data["contact_time"],
            area=data.get("area") or None,
        )


def _readable(day: date, hour: int) -> str:
    return f"{day.month}月{day.day}日{hour}点"
