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


# --- against the ledger ----------------------------------------------------------------------

import pytest  # noqa: E402

from jingban.core import clock  # noqa: E402
from jingban.core.actor import Actor  # noqa: E402
from jingban.core.errors import InvalidInput, PermissionDenied  # noqa: E402
from jingban.funds.ledger import service as ledger  # noqa: E402
from jingban.funds.reconciliation import service as recon  # noqa: E402

ACC = Actor("acc", frozenset({"accountant"}), True, "test")
FUND = "pension_enterprise"


def _books(db):
    """Oct 2026: a contribution file of 1,000.00 on the 10th, the sweep on the 20th."""
    with clock.travel("2026-10-10"):
        first = ledger.book_contribution(db, ACC, FUND, 100000, "contribution:1:" + FUND, "征收划入")
    with clock.travel("2026-10-20"):
        ledger.sweep(db, ACC, 202610)
    return first


def _csv(*lines: str) -> bytes:
    return ("日期,金额,方向,摘要,参考号\n" + "\n".join(lines) + "\n").encode()


def test_exact_statement_is_balanced_and_repeat_matched_once(db):
    entry = _books(db)
    content = _csv(f"2026-10-10,1000.00,收,征收划入,{rules.voucher_no(entry.id)}",
                   "2026-10-20,1000.00,付,归集财政专户,")
    record = recon.import_statement(db, ACC, fund=FUND, account="income", period=202610,
                                    filename="income.csv", content=content)
    assert record.status == "balanced" and not record.repeat
    assert record.ledger_balance == record.statement_balance == 0
    again = recon.import_statement(db, ACC, fund=FUND, account="income", period=202610,
                                   filename="again.csv", content=content)
    assert again.id == record.id and again.repeat
    assert len(recon.reconciliations(db, ACC)) == 1


def test_injected_differences_found_resolved_and_superseded(db):
    entry = _books(db)
    content = _csv("2026-10-22,1000.00,收,归集,",        # fiscal: 2 days after the sweep → date
                   "2026-10-25,12.30,收,利息,",          # bank only
                   "2026/10/26,abc,收,坏行,")
    record = recon.import_statement(db, ACC, fund=FUND, account="fiscal", period=202610,
                                    filename="fiscal.csv", content=content)
    shown = recon.view(db, ACC, record.id)
    assert sorted(d.kind for d in shown["differences"]) == ["date", "missing_in_ledger"]
    assert [(p.line, p.problem_field) for p in shown["problems"]] == [(4, "金额")]
    assert record.status == "differences"
    kinds = {}
    income = recon.import_statement(db, ACC, fund=FUND, account="income", period=202610,
                                    filename="i.csv", content=_csv(f"2026-10-10,999.00,收,征收,JZ{entry.id}"))
    for d in recon.view(db, ACC, income.id)["differences"]:
        kinds[d.kind] = d
    assert set(kinds) == {"amount", "missing_in_statement"}
    with pytest.raises(InvalidInput):
        recon.resolve(db, ACC, record.id, shown["differences"][0].id, "  ")
    with pytest.raises(PermissionDenied):
        recon.resolve(db, Actor("cash", frozenset({"cashier"}), True, "test"), record.id,
                      shown["differences"][0].id, "理由")
    for d in shown["differences"]:
        recon.resolve(db, ACC, record.id, d.id, "银行入账日期晚于记账日期；利息待入账")
    assert db.get(type(record), record.id).status == "resolved"
    corrected = recon.import_statement(db, ACC, fund=FUND, account="fiscal", period=202610,
                                       filename="fiscal2.csv", content=_csv("2026-10-20,1000.00,收,归集,"))
    assert corrected.id == record.id and corrected.status == "balanced"


def test_flags_months_not_reconciled(db):
    _books(db)
    with clock.travel("2026-11-15"):
        assert recon.flags(db, ACC, 2026) == []  # only October booked, November is this month
    with clock.travel("2026-12-05"):
        found = {(f["fund"], f["account"]): f for f in recon.flags(db, ACC, 2026)}
    assert found[(FUND, "fiscal")]["message"] == "对账缺失 2 个月"
    assert found[(FUND, "fiscal")]["months"] == [202610, 202611]


def test_api_upload_list_resolve_and_export(client, login, sessions):
    with sessions() as db:
        _books(db)
    acc, cashier = login("accountant"), login("cashier")
    body = {"fund": FUND, "account": "fiscal", "period": "202610"}
    gbk = "日期,金额,方向,摘要\n2026-10-22,1000.00,收,归集财政专户\n2026-10-30,x,收,坏行\n".encode("gbk")
    sent = client.post("/api/v1/funds/reconciliations", headers=acc, data=body,
                       files={"file": ("fiscal.csv", gbk, "text/csv")})
    assert sent.status_code == 201, sent.text
    found = sent.json()
    assert found["status"] == "differences" and [d["kind"] for d in found["differences"]] == ["date"]
    assert found["problems"][0]["line"] == 3
    again = client.post("/api/v1/funds/reconciliations", headers=acc, data=body,
                        files={"file": ("again.csv", gbk, "text/csv")})
    assert again.status_code == 200 and again.json()["repeat"] and again.json()["id"] == found["id"]
    listed = client.get("/api/v1/funds/reconciliations", headers=cashier, params={"fund": FUND})
    assert [r["id"] for r in listed.json()] == [found["id"]]
    url = f"/api/v1/funds/reconciliations/{found['id']}/differences/{found['differences'][0]['id']}/resolve"
    assert client.post(url, headers=cashier, json={"reason": "日期"}).status_code == 403
    assert client.post(url, headers=acc, json={"reason": ""}).status_code == 422
    done = client.post(url, headers=acc, json={"reason": "银行次日入账"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    one = client.get(f"/api/v1/funds/reconciliations/{found['id']}", headers=acc)
    assert one.json()["status"] == "resolved"
    sheet = client.get(f"/api/v1/funds/reconciliations/{found['id']}/differences.xlsx", headers=acc)
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")
    records = client.get("/api/v1/funds/reconciliations.xlsx", headers=cashier)
    assert records.status_code == 200 and records.content.startswith(b"PK")
    bad = client.post("/api/v1/funds/reconciliations", headers=acc, data={**body, "account": "x"},
                      files={"file": ("f.csv", gbk, "text/csv")})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "account"
