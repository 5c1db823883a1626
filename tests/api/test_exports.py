import csv
import io

from openpyxl import load_workbook

from api.exports import csv_response, xlsx_response

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
