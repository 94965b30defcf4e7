"""Excel (.xlsx) exports of the lists staff work from, through openpyxl, and the one response
every page and endpoint sends them with. Money columns are given in fen and written in yuan
with two decimals as numbers, so the sheet sums them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN_FORMAT = "#,##0.00"


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
             money: Iterable[int] = ()) -> bytes:
    """One sheet: a bold header line, then the rows; ``money`` are the indexes of columns in
    fen, written as yuan."""
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    money = set(money)
    widths = [len(str(h)) * 2 + 2 for h in headers]
    for row in rows:
        values = [Decimal(v) / 100 if i in money and isinstance(v, int) else v
                  for i, v in enumerate(row)]
        sheet.append(values)
        for i, value in enumerate(values):
            if i < len(widths):
                widths[i] = min(60, max(widths[i], len(str(value)) + 2))
    for i in money:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.number_format = YUAN_FORMAT
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(content: bytes, filename: str) -> Response:
    """The download; the name may be Chinese (RFC 5987)."""
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
