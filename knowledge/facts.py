"""Facts a worker states in passing ("干了五年", "月薪六千", "一年半以前被辞退"), for answers and the
compensation calculator to use instead of asking again.

The extractor reads numbers as workers write them: digits or Chinese numerals (3年, 三年, 两年半), money in
块/元/千/万 (六千, 1.2万, 一万二), dates absolute (2021年3月, 2021.3.5) or relative to today (去年5月, 一年半以前,
上个月). A number followed by 多 or 几 ("两年多", "十几年") is a lower bound and marked approximate.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from knowledge.numerals import parse_numeral

NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
YEAR_OR_MONTH = re.compile(
    rf"(?P<n>{NUMBER})(?P<few>几|多)?(?:个)?(?P<unit>年|月)(?P<half>半)?(?P<more>多)?"
    rf"(?:(?P<m>{NUMBER})(?:个)?月)?"
)
HALF_YEAR = re.compile(r"(?<![一二两三四五六七八九十\d])半年")
SERVICE_CUE = re.compile(r"干了|做了|工作了|上了|干|做|工作|工龄|入职|满|来了|待了")
# After the length: a point in time (三年前), or something else that lasted (三个月没发工资, 三个月试用期).
NOT_SERVICE = re.compile(r"^(?:以前|之前|前|以后|之后|后|内|以内|里|的时候|时|没|不|工资|的工资|薪|试用)")
WAGE_BEFORE = re.compile(
    rf"(?:月薪|月工资|工资|底薪|薪水|每月|每个月|一个月|一月|月收入|到手)"
    rf"(?:是|有|才|就|大概|差不多|约|能拿|拿|给|发|一共)?(?P<n>{NUMBER})(?P<unit>万|千|k)?(?P<rest>[一二三四五六七八九])?(?:元|块|块钱)?"
)
WAGE_AFTER = re.compile(
    rf"(?P<n>{NUMBER})(?P<unit>万|千|k)?(?P<rest>[一二三四五六七八九])?(?:元|块|块钱)(?:钱)?(?:一个月|每月|/月|一月|月薪)"
)
ABSOLUTE = re.compile(
    r"(?P<year>\d{4}|[零〇一二三四五六七八九]{4}|去年|前年|今年)年?"
    r"(?:(?P<month>\d{1,2}|[一二三四五六七八九十]{1,2})月(?:份)?(?:(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})[日号])?)?"
)
DOTTED = re.compile(r"(?P<year>\d{4})[./-](?P<month>\d{1,2})(?:[./-](?P<day>\d{1,2}))?")
RELATIVE = re.compile(
    rf"(?P<n>{NUMBER}|半)(?P<few>多)?(?:个)?(?P<unit>年|月)(?P<half>半)?(?P<more>多)?(?:以前|之前|前)"
)
LAST_MONTH = re.compile(r"上个月|上月")
START_WORDS = ("入职", "进厂", "进公司", "来公司", "上岗", "开始干", "开始上班", "签合同", "签的合同", "进来")
END_WORDS = ("离职", "辞职", "辞退", "开除", "被开", "开了", "被辞", "辞了", "解除", "走人", "不干", "裁员", "被裁", "到期")
INJURY_WORDS = ("受伤", "工伤", "摔", "砸", "出事", "车祸")
NEAR = 8


class Event(StrEnum):
    START = "start"
    END = "end"
    INJURY = "injury"


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class DatedFact:
    on: date
    """The date meant; the first of the month (or of the year) when the text is no more precise."""
    precision: Precision
    event: Event | None
    """What happened then, from a word next to the date (入职, 被辞退, 受伤); None if the text does not say."""


@dataclass(frozen=True)
class Facts:
    service_months: int | None = None
    """How long the worker has worked there (两年半 → 30)."""
    service_approximate: bool = False
    """The length is a lower bound (两年多, 十几年)."""
    monthly_wage: int | None = None
    """Monthly pay in yuan (月薪六千 → 6000)."""
    dates: tuple[DatedFact, ...] = ()

    def date_of(self, event: Event) -> DatedFact | None:
        return next((fact for fact in self.dates if fact.event == event), None)


def extract_facts(text: str, today: date) -> Facts:
    """The facts stated in the text; relative dates are resolved against `today`."""
    text = unicodedata.normalize("NFKC", text).lower()
    months, approximate = _service(text)
    return Facts(
        service_months=months,
        service_approximate=approximate,
        monthly_wage=_wage(text),
        dates=tuple(_dates(text, today)),
    )


def _number(numeral: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", numeral):
        return float(numeral)
    try:
        return float(parse_numeral(numeral))
    except ValueError:
        return None


def _service(text: str) -> tuple[int | None, bool]:
    """A length of time that follows a word of working (干了三年) and is not a point in time (三年前)."""
    for match in YEAR_OR_MONTH.finditer(text):
        before = text[max(0, match.start() - 4) : match.start()]
        after = text[match.end() : match.end() + 8]  # NOT_SERVICE is short: no copy of the whole rest
        if not SERVICE_CUE.search(before) or NOT_SERVICE.match(after):
            continue
        number = _number(match.group("n"))
        if number is None or (match.group("unit") == "年" and number > 50):
            continue
        months = number * (12 if match.group("unit") == "年" else 1)
        if match.group("half"):
            months += 6 if match.group("unit") == "年" else 0.5
        if match.group("m") and match.group("unit") == "年":
            months += _number(match.group("m")) or 0
        approximate = bool(match.group("few") or match.group("more"))
        return round(months), approximate
    half = HALF_YEAR.search(text)
    if (half and SERVICE_CUE.search(text[max(0, half.start() - 4) : half.start()])
            and not NOT_SERVICE.match(text[half.end() : half.end() + 8])):
        return 6, False
    return None, False


def _wage(text: str) -> int | None:
    for pattern in (WAGE_BEFORE, WAGE_AFTER):
        for match in pattern.finditer(text):
            number = _number(match.group("n"))
            if number is None:
                continue
            unit = {"万": 10000, "千": 1000, "k": 1000}.get(match.group("unit") or "", 1)
            amount = number * unit
            if match.group("rest") and unit > 1:
                amount += (_number(match.group("rest")) or 0) * unit / 10
            if 500 <= amount <= 500000:
                return round(amount)
    return None


def _dates(text: str, today: date) -> list[DatedFact]:
    found: list[tuple[int, int, DatedFact]] = []
    for match in [*ABSOLUTE.finditer(text), *DOTTED.finditer(text)]:
        fact = _absolute(match, today)
        if fact is not None:
            found.append((match.start(), match.end(), fact))
    for match in RELATIVE.finditer(text):
        months = _months(match)
        if months is not None:
            on = _months_before(today, months)
            found.append((match.start(), match.end(), DatedFact(on, Precision.MONTH, None)))
    for match in LAST_MONTH.finditer(text):
        found.append((match.start(), match.end(), DatedFact(_months_before(today, 1), Precision.MONTH, None)))
    found.sort(key=lambda item: item[0])
    return [
        DatedFact(fact.on, fact.precision, _event(text, start, end)) for start, end, fact in _without_overlaps(found)
    ]


def _absolute(match: re.Match[str], today: date) -> DatedFact | None:
    year_text = match.group("year")
    relative = {"今年": 0, "去年": 1, "前年": 2}
    if year_text in relative:
        year = today.year - relative[year_text]
    else:
        digits = year_text.translate(str.maketrans("零〇一二三四五六七八九", "00123456789"))
        year = int(digits)
    if not 1950 <= year <= today.year + 1:
        return None
    month = _number(match.group("month")) if match.group("month") else None
    day = _number(match.group("day")) if match.group("day") else None
    if month is None and year_text in relative:
        return None
    try:
        on = date(year, int(month or 1), int(day or 1))
    except ValueError:
        return None
    precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    return DatedFact(on, precision, None)


def _months(match: re.Match[str]) -> int | None:
    numeral = match.group("n")
    number = 0.5 if numeral == "半" else _number(numeral)
    if number is None:
        return None
    months = number * (12 if match.group("unit") == "年" else 1)
    if match.group("half"):
        months += 6 if match.group("unit") == "年" else 0
    return round(months)


def _months_before(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _without_overlaps(found: list[tuple[int, int, DatedFact]]) -> list[tuple[int, int, DatedFact]]:
    kept: list[tuple[int, int, DatedFact]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            if item[1] - item[0] > kept[-1][1] - kept[-1][0]:
                kept[-1] = item
            continue
        kept.append(item)
    return kept


def _event(text: str, start: int, end: int) -> Event | None:
    """The event named right after the date (2020年3月入职), else right before it (入职是2020年3月)."""
    after, before = text[end : end + NEAR], text[max(0, start - NEAR) : start]
    for window in (after, before):
        positions = {
            event: min((window.find(word) for word in words if word in window), default=-1)
            for event, words in ((Event.START, START_WORDS), (Event.END, END_WORDS), (Event.INJURY, INJURY_WORDS))
        }
        named = [(position, event) for event, position in positions.items() if position >= 0]
        if named:
            return (min(named) if window is after else max(named))[1]
    return None
