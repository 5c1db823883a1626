"""The dashboard: the figures the federation reports (`core.stats`) per local month and for the year, as
charts, a table and the report sentence, with ratings per mediator; CSV/XLSX exports of the monthly table
(every console user) and of the year's cases (admins only: personal data, phones masked unless revealed,
every export audited).

Charts are inline SVG drawn on the server: no script, and the CSP allows markup. Colours and sizes are
attributes (the CSP blocks `style=`); the table under the charts carries the same figures as text.
"""

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console import (
    ZoneDep,
    category_label,
    channel_name,
    local_time,
    outcome_label,
    render,
    status_label,
)
from api.deps import DatabaseDep, SettingsDep
from api.exports import csv_response, xlsx_response
from api.security import ConsoleAdminDep, ConsoleDep
from core.audit import audit
from core.clock import utcnow
from core.stats import Figures, YearReport, cases_of_year, first_year, year_report
from core.tickets import Ticket, ratings_by_mediator
from core.users import User
from core.validation import mask_phone

router = APIRouter(tags=["console"], include_in_schema=False)

YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
MONTH_HEADERS = (
    "月份",
    "接待咨询（件）",
    "受理案件（件）",
    "结案（件）",
    "调解成功（件）",
    "撤回（件）",
    "调解成功率（%）",
    "挽回金额（元）",
)
CASE_HEADERS = (
    "案件编号",
    "提交时间",
    "渠道",
    "类别",
    "片区",
    "用人单位",
    "手机号",
    "状态",
    "调解员",
    "首次响应时间",
    "结果",
    "结案时间",
    "涉及金额（元）",
    "挽回金额（元）",
    "评价（1-5）",
)
CASES_COLOUR, MEDIATED_COLOUR, AMOUNT_COLOUR = "#9aa8b8", "#b3261e", "#1d6b3a"


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


# ---- charts ----

WIDTH, HEIGHT = 480, 250  # about the size it is shown at, so the labels stay readable
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 24, 28
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    unit: str
    bars: list[Bar]
    ticks: list[Tick]
    months: list[tuple[float, str]]  # centre x and label of each month
    legend: list[tuple[str, str]]  # colour and name of each series
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = TOP + PLOT_HEIGHT


def scale(peak: float, whole: bool) -> tuple[float, float]:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) giving four or five gridlines, and the top of the axis."""
    if peak <= 0:
        return 1.0, 1.0
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = float(max(1, math.ceil(step)))
    return step, step * math.ceil(peak / step - 1e-9)


def number(value: float) -> str:
    return f"{round(value, 4):g}"


def bar_chart(
    title: str, description: str, unit: str, series: list[tuple[str, str, list[float]]], whole: bool
) -> Chart:
    """Grouped bars, one group per month, one bar per series (name, colour, twelve values)."""
    step, top = scale(max(max(values) for _, _, values in series), whole)
    slot = PLOT_WIDTH / 12
    width = slot * 0.72 / len(series)
    bars = []
    for month in range(12):
        start = LEFT + slot * month + slot * 0.14
        for index, (name, colour, values) in enumerate(series):
            height = PLOT_HEIGHT * values[month] / top
            label = f"{month + 1}月 {name}：{number(values[month])} {unit}"
            x, y = round(start + index * width, 1), round(TOP + PLOT_HEIGHT - height, 1)
            bars.append(Bar(x, y, round(width - 1, 1), round(height, 1), colour, label))
    ticks = [
        Tick(round(TOP + PLOT_HEIGHT * (1 - i * step / top), 1), number(i * step))
        for i in range(round(top / step) + 1)
    ]
    months = [(round(LEFT + slot * (m + 0.5), 1), f"{m + 1}月") for m in range(12)]
    legend = [(colour, name) for name, colour, _ in series]
    return Chart(title, description, unit, bars, ticks, months, legend)


def charts(report: YearReport) -> list[Chart]:
    received = [float(m.received) for m in report.months]
    mediated = [float(m.mediated) for m in report.months]
    amounts = [float(m.amount_wan) for m in report.months]
    total = report.total
    return [
        bar_chart(
            f"{report.year}年每月受理案件与调解成功",
            f"全年受理 {total.received} 件，调解成功 {total.mediated} 件。每月数字见下方表格。",
            "件",
            [("受理案件", CASES_COLOUR, received), ("调解成功", MEDIATED_COLOUR, mediated)],
            whole=True,
        ),
        bar_chart(
            f"{report.year}年每月挽回金额（万元）",
            f"全年挽回 {total.amount_wan} 万元。每月数字见下方表格。",
            "万元",
            [("挽回金额", AMOUNT_COLOUR, amounts)],
            whole=False,
        ),
    ]


# ---- pages and exports ----


def _year(year: int | None, zone: ZoneInfo) -> int:
    """The year asked for, else the current local year."""
    return year or utcnow().astimezone(zone).year


def _percent(figures: Figures) -> float | None:
    rate = figures.success_rate
    return round(rate * 100, 1) if rate is not None else None


def _ratings(session: Session) -> list[tuple[str, float, int]]:
    found = ratings_by_mediator(session)
    users = session.scalars(select(User).where(User.id.in_(found)).order_by(User.display_name))
    return [(user.display_name, round(found[user.id][0], 1), found[user.id][1]) for user in users]


@router.get("/console/dashboard", name="console_dashboard")
def dashboard(
    request: Request,
    context: ConsoleDep,
    database: DatabaseDep,
    settings: SettingsDep,
    zone: ZoneDep,
    year: YearQuery = None,
) -> Response:
    current = _year(None, zone)
    year = year or current
    with database.session() as session:
        report = year_report(session, year, settings.timezone)
        since = first_year(session, settings.timezone) or year
        ratings = _ratings(session)
    return render(
        request,
        "console/dashboard.html",
        context,
        year=year,
        years=list(range(max(current, year), min(since, year) - 1, -1)),
        report=report,
        total=report.total,
        percent=_percent,
        charts=charts(report),
        ratings=ratings,
        zone=zone.key,
    )


def _month_rows(report: YearReport) -> list[tuple[object, ...]]:
    labelled = [(f"{report.year}-{index:02d}", month) for index, month in enumerate(report.months, start=1)]
    return [
        (
            label,
            m.consultations,
            m.received,
            m.closed,
            m.mediated,
            m.withdrawn,
            _percent(m),
            m.amount_recovered,
        )
        for label, m in [*labelled, ("全年", report.total)]
    ]


@router.get("/console/dashboard/months.{fmt}", name="console_dashboard_months")
def export_months(
    context: ConsoleDep, database: DatabaseDep, settings: SettingsDep, zone: ZoneDep, fmt: Format,
    year: YearQuery = None,
) -> Response:
    """The monthly table: figures only, no personal data."""
    year = _year(year, zone)
    with database.session() as session:
        rows = _month_rows(year_report(session, year, settings.timezone))
    name = f"调解统计-{year}.{fmt}"
    if fmt is Format.CSV:
        return csv_response(MONTH_HEADERS, rows, name)
    return xlsx_response(MONTH_HEADERS, rows, name, sheet=f"{year}年")


def _case_row(ticket: Ticket, zone: ZoneInfo, reveal: bool) -> tuple[object, ...]:
    return (
        ticket.number,
        local_time(ticket.created_at, zone),
        channel_name(ticket.channel),
        category_label(ticket.category),
        ticket.area or "",
        ticket.employer,
        ticket.phone if reveal else mask_phone(ticket.phone),
        status_label(ticket.status),
        ticket.assignee.display_name if ticket.assignee else "",
        local_time(ticket.first_responded_at, zone) or ("超时未响应" if ticket.overdue() else ""),
        outcome_label(ticket.outcome),
        local_time(ticket.closed_at, zone),
        ticket.amount_claimed,
        ticket.amount_recovered,
        ticket.rating,
    )


@router.get("/console/dashboard/cases.{fmt}", name="console_dashboard_cases")
def export_cases(
    context: ConsoleAdminDep,
    database: DatabaseDep,
    settings: SettingsDep,
    zone: ZoneDep,
    fmt: Format,
    year: YearQuery = None,
    reveal: bool = False,
) -> Response:
    """The year's cases with contact details: admins only, phones masked unless revealed, always audited."""
    year = _year(year, zone)
    with database.session() as session:
        tickets = cases_of_year(session, year, settings.timezone)
        rows = [_case_row(ticket, zone, reveal) for ticket in tickets]
        detail = f"year={year} format={fmt} cases={len(rows)} phones={'revealed' if reveal else 'masked'}"
        audit(session, context.user.username, "tickets.export", detail)
    name = f"案件-{year}.{fmt}"
    if fmt is Format.CSV:
        return csv_response(CASE_HEADERS, rows, name)
    return xlsx_response(CASE_HEADERS, rows, name, sheet=f"{year}年案件")
