"""Tables as downloads: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX (openpyxl).

Cells carry what workers typed in chat. A spreadsheet runs text that starts like a formula (`=HYPERLINK(…)`,
`+`, `-`, `@`, or a tab or carriage return before one), so such text is neutralised: in CSV by a leading
apostrophe, as OWASP advises; in XLSX every text cell is written as a string, and formula-like ones also get
Excel's quote prefix, so they stay text even when someone edits the cell.
"""

import csv
import io
from collections.abc import Sequence
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter

Row = Sequence[object]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_response(headers: Row, rows: Sequence[Row], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in (headers, *rows):
        writer.writerow([f"'{value}" if _formula_like(value) else value for value in row])
    body = "\ufeff" + buffer.getvalue()
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=_disposition(filename))


def _put(cell: Cell, value: object) -> None:
    """Text as a string cell (never a formula); control characters XML cannot hold are dropped."""
    if not isinstance(value, str):
        cell.value = value
        return
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    if _formula_like(value):
        cell.quotePrefix = True


def xlsx_response(headers: Row, rows: Sequence[Row], filename: str, sheet: str = "Sheet1") -> Response:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet[:31]
    for row_number, row in enumerate((headers, *rows), start=1):
        for column, value in enumerate(row, start=1):
            _put(worksheet.cell(row_number, column), value)
    for index, header in enumerate(headers, start=1):
        widest = max([len(str(header)), *(len(str(row[index - 1])) for row in rows)] or [8])
        worksheet.column_dimensions[get_column_letter(index)].width = min(60, widest * 2 + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX, headers=_disposition(filename))
