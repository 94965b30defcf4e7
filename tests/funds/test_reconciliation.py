"""Reconciliation rules: statement files read (UTF-8, GBK, .xlsx), bad rows listed with their
line, and line-by-line matching finding each kind of difference."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from jingban.funds.reconciliation import rules
from jingban.funds.reconciliation.rules import Item, Pair

D = dt.date(2026, 10, 10)
CSV = ("日期,金额,方向,摘要,参考号\n"
       "2026-10-10,1200.50,收,征收划入,JZ1\n"
       "2026/10/11,300,付,待遇发放,\n"
       "20261012,abc,收,坏金额,\n"
       "2026-13-01,5.00,收,坏日期,\n"
       "2026-10-12,5.00,进,坏方向,\n")


def test_csv_rows_and_problems_with_line_numbers():
    rows, encoding = rules.read(CSV.encode())
    assert encoding == "utf-8" and [r.line for r in rows] == [2, 3, 4, 5, 6]
    good = [r for r in rows if r.problem is None]
    assert [(r.on, r.amount, r.direction, r.reference) for r in good] == [
        (D, 120050, "in", "JZ1"), (dt.date(2026, 10, 11), 30000, "out", "")]
    assert [(r.line, r.problem[0]) for r in rows if r.problem] == [(4, "金额"), (5, "日期"), (6, "方向")]
    assert rows[2].raw == "20261012,abc,收,坏金额,"


def test_gbk_bom_and_xlsx_read():
    assert rules.read(CSV.encode("gbk"))[1] == "gbk"
    assert rules.read(b"\xef\xbb\xbf" + CSV.encode())[0][0].amount == 120050
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "金额", "方向", "摘要"])
    sheet.append([dt.datetime(2026, 10, 10), 1200.5, "借", "征收"])
    out = io.BytesIO()
    book.save(out)
    rows, kind = rules.read(out.getvalue())
    first = rows[0]
    assert kind == "xlsx" and (first.line, first.on, first.amount, first.direction) == (2, D, 120050, "in")


def test_missing_header_refused():
    try:
        rules.read("日期,金额\n2026-10-10,1\n".encode())
    except rules.InvalidInput as exc:
        assert exc.field == "file" and "方向" in exc.message
    else:
        raise AssertionError("a file without 方向 must be refused")


def test_match_finds_each_kind():
    day = dt.timedelta(days=1)
    ledger = [Item(10, D, "in", 1000, ("JZ1", "contribution:1:pension")), Item(11, D, "out", 500),
              Item(12, D, "in", 700), Item(13, D, "out", 900), Item(14, D, "in", 50, ("JZ5",))]
    statement = [Item(2, D, "in", 1000, ("JZ1",)),        # by reference
                 Item(3, D, "out", 500),                   # same day and amount
                 Item(4, D + 2 * day, "in", 700),          # 2 days off → date
                 Item(5, D, "in", 80, ("JZ5",)),           # reference, other amount → amount
                 Item(6, D, "in", 333)]                    # bank only
    pairs = rules.match(statement, ledger, 3)
    assert set(pairs) == {Pair(2, 10, None), Pair(3, 11, None), Pair(4, 12, "date"),
                          Pair(5, 14, "amount"), Pair(6, None, "missing_in_ledger"),
                          Pair(None, 13, "missing_in_statement")}
    assert rules.match(statement[2:3], ledger[2:3], 1) == [Pair(4, None, "missing_in_ledger"),
                                                           Pair(None, 12, "missing_in_statement")]


def test_voucher_no_and_status():
    assert rules.voucher_no(12) == "JZ12"
    assert rules.status_of(0, 0) == "balanced" and rules.status_of(1, 2) == "differences"
    assert rules.status_of(0, 2) == "resolved"
