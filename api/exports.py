"""Tables as downloads: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX (openpyxl)."""

import csv
import io
from collections.abc import Sequence
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

Row = Sequence[object]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}


def csv_response(headers: Row, rows: Sequence[Row], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    body = "\ufeff" + buffer.getvalue()
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=_disposition(filename))


def xlsx_response(headers: Row, rows: Sequence[Row], filename: str, sheet: str = "Sheet1") -> Response:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet[:31]
    worksheet.append(list(headers))
    for row in rows:
        worksheet.append(list(row))
    for index, header in enumerate(headers, start=1):
        widest = max([len(str(header)), *(len(str(row[index - 1])) for row in rows)] or [8])
        worksheet.column_dimensions[get_column_letter(index)].width = min(60, widest * 2 + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX, headers=_disposition(filename))
