"""The dashboard over a real server on a known data set: the report figures per local month and for the
year, charts, ratings per mediator, and the exports parsed back (cases export: admins only, audited)."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from core.audit import recent
from core.consultations import record_consultation
from core.tickets import Category, Deadline, Intake, Outcome, Ticket, assign, close, open_ticket, rate
from core.users import User
from support.console import Site, serve_site


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


# employer: (mediator, created, closed, outcome, amount, rating, phone)
CASES = {
    "一号公司": ("wang", utc(2025, 1, 10), utc(2025, 1, 20), Outcome.MEDIATED, "8000", 5, "13800000001"),
    "二号公司": (
        "wang",
        utc(2025, 1, 15),
        utc(2025, 1, 31, 16, 30),
        Outcome.WITHDRAWN,
        None,
        3,
        "13800000002",
    ),
    "三号公司": (
        "li",
        utc(2025, 2, 10),
        utc(2025, 2, 28, 18),
        Outcome.FAILED,
        None,
        4,
        "13800000003",
    ),  # Mar 1 local
    "四号公司": ("li", utc(2025, 3, 3), utc(2025, 3, 5), Outcome.MEDIATED, "12000.50", 2, "13800000004"),
    "五号公司": (None, utc(2025, 3, 31, 17), None, None, None, None, "13800000005"),  # Apr 1 local, open
}
QUESTIONS = [utc(2025, 1, 2), utc(2025, 1, 3), utc(2025, 1, 4), utc(2025, 3, 8), utc(2025, 3, 9)]


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "dashboard") as site:
        with site.services.database.session() as session:
            people = {name: session.get(User, user_id) for name, user_id in site.ids.items()}
            for employer, (who, created, closed, outcome, amount, rating, phone) in CASES.items():
                ticket = open_ticket(
                    session,
                    Intake(
                        "web",
                        f"w-{employer}",
                        Category.WAGES,
                        employer,
                        "拖欠工资",
                        None,
                        phone,
                        "晚上",
                        None,
                    ),
                    Deadline(1, "Asia/Shanghai"),
                )
                if who:
                    assign(ticket, people[who], people[who])
                    close(ticket, outcome, Decimal(amount) if amount else None, "", people[who])
                    rate(ticket, rating)
                session.flush()
                session.execute(
                    update(Ticket).where(Ticket.id == ticket.id).values(created_at=created, closed_at=closed)
                )
            for index, asked in enumerate(QUESTIONS):
                record_consultation(
                    session, "web", f"q{index}", "问题", None, confident=True
                ).created_at = asked
        yield site


def test_the_dashboard_shows_the_years_figures_charts_and_ratings(site: Site) -> None:
    page = site.client("wang").get("/console/dashboard", params={"year": 2025})
    assert page.status_code == 200
    body = page.text
    assert "2025年，接待咨询5件，调解劳动争议5件，成功调解2件，维权金额2.00万元。" in body
    assert re.search(r'<span class="figure">66.7%</span><span class="figure-label">调解成功率</span>', body)
    assert "调解成功件数 ÷（结案件数 − 撤回件数）" in body, "the success-rate definition is stated"
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">(\d+)月</th>(.*?)</tr>",
        re.search(r'<table class="figures" id="months-table">(.*?)</table>', body, re.S).group(1),
        re.S,
    )
    cells = {int(month): re.findall(r"<td>(.*?)</td>", row) for month, row in rows}
    assert cells[1] == ["3", "2", "1", "1", "0", "100.0%", "8,000.00"]
    assert cells[2] == ["0", "1", "1", "0", "1", "—", "0.00"], "a withdrawn case alone has no success rate"
    assert cells[3] == ["2", "1", "2", "1", "0", "50.0%", "12,000.50"], (
        "closed 02:00 on 1 March local is March"
    )
    assert cells[4] == ["0", "1", "0", "0", "0", "—", "0.00"]
    assert len(re.findall(r'<svg class="chart-svg"[^>]*role="img"', body)) == 2
    assert '<title id="chart-1-title">2025年每月受理案件与调解成功</title>' in body
    assert "<title>1月 受理案件：2 件</title>" in body and "<title>3月 调解成功：1 件</title>" in body
    assert "<title>3月 挽回金额：1.2 万元</title>" in body
    received = {
        int(month): float(height)
        for height, month in re.findall(r'height="([\d.]+)" fill="#9aa8b8" rx="2"><title>(\d+)月', body)
    }
    assert len(received) == 12 and received[1] > received[2] > 0 and received[5] == 0
    assert "style=" not in body
    assert '<th scope="row">李调解</th><td>3.0</td><td>2</td>' in body, "average and count per mediator"
    assert '<th scope="row">王调解</th><td>4.0</td><td>2</td>' in body
    assert "导出2025年案件明细" not in body, "mediators get no personal-data export"


def test_the_year_defaults_to_the_current_local_year_and_is_checked(site: Site) -> None:
    client = site.client("wang")
    this_year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    page = client.get("/console/dashboard").text
    assert f'<option value="{this_year}" selected>' in page and '<option value="2025"' in page
    assert f"{this_year}年，接待咨询" in page
    assert client.get("/console/dashboard", params={"year": 1999}).status_code == 422
    assert site.client().get("/console/dashboard").status_code == 303


def test_the_monthly_table_exports_as_csv_and_xlsx(site: Site) -> None:
    client = site.client("wang")
    response = client.get("/console/dashboard/months.csv", params={"year": 2025})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "月份" and rows[0][6] == "调解成功率（%）" and len(rows) == 14
    assert rows[1] == ["2025-01", "3", "2", "1", "1", "0", "100.0", "8000.00"]
    assert rows[2] == ["2025-02", "0", "1", "1", "0", "1", "", "0.00"]
    assert rows[13] == ["全年", "5", "5", "4", "2", "1", "66.7", "20000.50"]
    workbook = client.get("/console/dashboard/months.xlsx", params={"year": 2025})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "2025年" and values[0] == rows[0]
    assert values[13][:6] == ["全年", 5, 5, 4, 2, 1] and values[13][6] == 66.7
    assert Decimal(str(values[13][7])) == Decimal("20000.5")
    assert client.get("/console/dashboard/months.pdf").status_code == 422


def test_the_cases_export_is_for_admins_masked_unless_revealed_and_audited(site: Site) -> None:
    assert site.client("wang").get("/console/dashboard/cases.csv", params={"year": 2025}).status_code == 403
    assert site.client().get("/console/dashboard/cases.csv").status_code == 303
    admin = site.client("boss")
    assert "导出2025年案件明细" in admin.get("/console/dashboard", params={"year": 2025}).text
    masked = admin.get("/console/dashboard/cases.csv", params={"year": 2025})
    rows = list(csv.reader(io.StringIO(masked.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["案件编号", "提交时间", "渠道", "类别", "片区", "用人单位", "手机号"]
    assert [row[5] for row in rows[1:]] == ["一号公司", "二号公司", "三号公司", "四号公司", "五号公司"]
    assert [row[6] for row in rows[1:]][0] == "138****0001" and "13800000001" not in masked.text
    first = rows[1]
    assert first[1] == "2025-01-10 08:00" and first[2] == "网页" and first[3] == "欠薪"
    assert first[8] == "王调解" and first[10] == "调解成功" and first[13] == "8000.00" and first[14] == "5"
    revealed = admin.get("/console/dashboard/cases.xlsx", params={"year": 2025, "reveal": 1})
    sheet = load_workbook(io.BytesIO(revealed.content)).active
    phones = [row[6].value for row in sheet.iter_rows(min_row=2)]
    assert phones == [f"1380000000{n}" for n in range(1, 6)]
    with site.services.database.session() as session:
        entries = [(e.actor, e.action, e.detail) for e in recent(session) if e.action == "tickets.export"]
    assert entries[:2] == [
        ("boss", "tickets.export", "year=2025 format=xlsx cases=5 phones=revealed"),
        ("boss", "tickets.export", "year=2025 format=csv cases=5 phones=masked"),
    ]
