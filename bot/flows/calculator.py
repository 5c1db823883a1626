"""算补偿: the compensation calculator as a form — monthly wage, when the work started and ended (or how long it
lasted), why the contract ended, months without a written contract — then the amounts, the articles they rest
on and the assumptions made. Facts the worker already gave in the question are not asked again.

Nothing is stored: the form asks no consent and submits no record.
"""

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from bot.flows.base import Turn
from bot.forms import Field, Form
from bot.intents import compact
from bot.replies import MEDIATOR, say
from core.clock import local, utcnow
from core.messages import Button, Reply
from core.validation import parse_amount
from index.passages import article_id, citation_label
from knowledge.compensation import Ending, Service, calculate, service_between, service_of_months
from knowledge.facts import Event, extract_facts
from knowledge.numerals import parse_numeral

MIN_WAGE, MAX_WAGE = Decimal(500), Decimal(500000)
ENDINGS: tuple[tuple[Ending, str], ...] = (
    (Ending.UNLAWFUL, "被违法辞退"),
    (Ending.NO_NOTICE, "病后/不胜任被辞退，没提前30天通知"),
    (Ending.DISMISSED, "被辞退或裁员，提前通知了"),
    (Ending.MUTUAL, "公司提出协商解除"),
    (Ending.EXPIRED, "合同到期公司不续签"),
    (Ending.EMPLOYER_FAULT, "公司欠薪或不交社保，我辞职"),
    (Ending.RESIGNED, "我自己辞职"),
)
ENDING_WORDS: dict[Ending, tuple[str, ...]] = {
    Ending.UNLAWFUL: ("违法", "无故", "没理由", "没有理由", "随便"),
    Ending.NO_NOTICE: ("没提前", "没有提前", "没通知", "不胜任", "生病", "病"),
    Ending.DISMISSED: ("裁员", "提前通知", "辞退", "开除", "倒闭"),
    Ending.MUTUAL: ("协商",),
    Ending.EXPIRED: ("到期", "不续"),
    Ending.EMPLOYER_FAULT: ("欠薪", "社保", "拖欠"),
    Ending.RESIGNED: ("自己辞职", "主动辞职", "我辞职", "辞职"),
}
SIGNED_WORDS = ("签了", "签过", "有合同", "有", "签", "都签了", "没有没签")
NOW_WORDS = ("现在", "今天", "还在", "还没走", "刚刚", "刚")
CITED = (("劳动合同法", 47), ("劳动合同法", 40), ("劳动合同法", 87), ("劳动合同法", 82), ("劳动合同法实施条例", 27))
MONTHS = re.compile(r"(\d+|[一二两三四五六七八九十]+)个?月")


@dataclass
class WorkStart:
    """When the work started, or how long it has lasted when the worker only says that."""

    on: date | None = None
    months: int | None = None


@dataclass
class CalculatorAnswers:
    wage: Decimal | None = None
    start: WorkStart | None = None
    end: date | None = None
    ending: Ending | None = None
    unsigned: int | None = None


def parse_wage(text: str) -> Decimal | None:
    amount = parse_amount(text.removeprefix("月薪").removeprefix("工资"))
    return amount if amount is not None and MIN_WAGE <= amount <= MAX_WAGE else None


def parse_start(text: str, today: date) -> WorkStart | None:
    facts = extract_facts(text, today)
    if facts.dates and facts.dates[0].on <= today:
        return WorkStart(on=facts.dates[0].on)
    length = extract_facts(f"干了{text}", today).service_months
    return WorkStart(months=length) if length else None


def parse_end(text: str, today: date) -> date | None:
    if any(word in compact(text) for word in NOW_WORDS):
        return today
    facts = extract_facts(text, today)
    return facts.dates[0].on if facts.dates and facts.dates[0].on <= today else None


def parse_ending(text: str) -> Ending | None:
    words = compact(text)
    for ending, label in ENDINGS:
        if words == compact(label):
            return ending
    return next((ending for ending, found in ENDING_WORDS.items() if any(w in words for w in found)), None)


def parse_unsigned(text: str) -> int | None:
    """Months worked without a written contract: 0 when one was signed."""
    words = compact(text)
    if words.startswith("没签") or words.startswith("没有签") or words.startswith("一直没"):
        match = MONTHS.search(words)
        return _count(match.group(1)) if match else None
    if any(words.startswith(word) for word in SIGNED_WORDS) or words in ("0", "零", "没有"):
        return 0
    match = MONTHS.search(words) or re.fullmatch(r"(\d+)", words)
    return _count(match.group(1)) if match else None


def _count(numeral: str) -> int | None:
    try:
        value = int(numeral) if numeral.isdigit() else int(parse_numeral(numeral))
    except ValueError:
        return None
    return value if 0 <= value <= 600 else None


def dated(answers: CalculatorAnswers) -> bool:
    return answers.start is not None and answers.start.on is not None


def _shown_start(start: WorkStart) -> str:
    return f"{start.on:%Y-%m-%d}" if start.on else f"干了{start.months}个月"


class CalculatorForm(Form[CalculatorAnswers]):
    name = "calculator"
    state = CalculatorAnswers
    consent = None
    declined = "calculator_declined.j2"
    summary = "calculator_summary.j2"

    def __init__(self, timezone: str, average_wage: Decimal, average_year: int) -> None:
        self.timezone = timezone
        self.average_wage = average_wage
        self.average_year = average_year
        # The dates a worker gives ("去年5月", "现在") are read against today, which the declaration cannot know.
        dated_parsers = {"start": lambda text: parse_start(text, self.today()),
                         "end": lambda text: parse_end(text, self.today())}
        self.fields = tuple(replace(f, parse=dated_parsers[f.name]) if f.name in dated_parsers else f
                            for f in type(self).fields)

    fields = (
        Field("wage", "月工资", parse_wage, "calculator_wage.j2", "calculator_wage_again.j2",
              shown=lambda wage: f"{wage:,.0f}元"),
        Field("start", "入职时间", lambda text: None, "calculator_start.j2", "calculator_start_again.j2",
              shown=_shown_start),
        Field("end", "离职时间", lambda text: None, "calculator_end.j2", "calculator_end_again.j2",
              (Button("现在", "现在"),), when=dated, shown=lambda day: f"{day:%Y-%m-%d}"),
        Field("ending", "合同怎么结束的", parse_ending, "calculator_ending.j2", "calculator_ending_again.j2",
              tuple(Button(label, label) for _, label in ENDINGS),
              shown=lambda ending: dict(ENDINGS)[ending]),
        Field("unsigned", "没签合同的月数", parse_unsigned, "calculator_unsigned.j2", "calculator_unsigned_again.j2",
              (Button("签了合同", "签了"),), shown=lambda months: "签了合同" if months == 0 else f"{months}个月"),
    )

    def today(self) -> date:
        return local(utcnow(), self.timezone).date()

    def start(self, turn: Turn) -> list[Reply]:
        """Begun from a question ("干了五年被辞退能赔多少，月薪六千"), or from the button under an answer to one:
        what the question states is taken as given."""
        asked = turn.conversation.context.get("asked") or ""
        return self.begin(turn, self.given(f"{asked} {turn.text}"))

    def given(self, text: str) -> CalculatorAnswers:
        facts = extract_facts(text, self.today())
        start, end = facts.date_of(Event.START), facts.date_of(Event.END)
        wage = Decimal(facts.monthly_wage) if facts.monthly_wage else None
        if start is not None:
            work = WorkStart(on=start.on)
        elif facts.service_months:
            work = WorkStart(months=facts.service_months)
        else:
            work = None
        return CalculatorAnswers(wage=wage, start=work, end=end.on if end and start else None)

    def submit(self, turn: Turn, state: CalculatorAnswers) -> tuple[list[Reply], int | None]:
        service = self._service(state)
        if service is None:
            return [say("calculator_bad_dates.j2")], None
        result = calculate(state.wage, service, state.ending, self.average_wage, state.unsigned or 0)
        turn.conversation.remember(citations=[article_id(law, number) for law, number in CITED])
        reply = say(
            "calculator_result.j2",
            (MEDIATOR,),
            result=result,
            told_months=state.start.months if state.start and state.start.on is None else None,
            average=self.average_wage,
            average_year=self.average_year,
            cap=self.average_wage * 3,
            cited=[citation_label(law, number) for law, number in CITED],
        )
        return [reply], None

    def _service(self, state: CalculatorAnswers) -> Service | None:
        start = state.start
        if start is None:
            return None
        if start.on is None:
            return service_of_months(start.months or 0)
        try:
            return service_between(start.on, state.end or self.today())
        except ValueError:
            return None

    def already(self, turn: Turn, record_id: int) -> list[Reply] | None:
        return None
