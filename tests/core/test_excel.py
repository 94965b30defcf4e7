"""The shared Excel export: headers, rows, money columns in yuan."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from jingban.core.excel import XLSX, workbook, xlsx_response


def test_a_list_becomes_a_sheet_with_money_in_yuan():
    content = workbook("基金凭证", ["凭证号", "摘要", "金额（元）"],
                       [(1, "待遇发放", 123456), (2, "利息", 5)], money=[2])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "基金凭证"
    assert [c.value for c in sheet[1]] == ["凭证号", "摘要", "金额（元）"]
    assert Decimal(str(sheet["C2"].value)) == Decimal("1234.56")
    assert Decimal(str(sheet["C3"].value)) == Decimal("0.05")
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet.max_row == 3


def test_the_download_carries_a_chinese_name():
    reply = xlsx_response(b"x", "基金月报.xlsx")
    assert reply.media_type == XLSX
    assert "filename*=UTF-8''%E5%9F%BA" in reply.headers["content-disposition"]
