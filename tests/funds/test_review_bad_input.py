"""Independent review (issue 10): bad input on every funds endpoint gets a 4xx with the house
error {"error": {"code", "message" (Chinese), "field"}} and writes nothing (the funds tables,
cases and the audit chain counted before and after); never a 500. Then the permissions: the
supervisor (read-only) is refused every funds write, the cashier cannot approve, the
accountant cannot confirm."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.models import AuditEvent
from jingban.funds.budget.models import Budget, BudgetLine
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import ClosedPeriod, EntrySign, JournalEntry, JournalLine
from jingban.funds.reconciliation.models import Difference, Reconciliation, Statement, StatementRow
from jingban.funds.reports.models import FundDisclosure, FundReport
from tests.conftest import error_of
from tests.web.helpers import post, sign_in

API = "/api/v1/funds"
FUND = "pension_enterprise"
DAY = "2026-11-16"  # a Monday; October 2026 is over and closed below
ACC = Actor("acc", frozenset({"accountant"}), True, "api")
TABLES = (JournalEntry, JournalLine, EntrySign, ClosedPeriod, Budget, BudgetLine, Reconciliation,
          Statement, StatementRow, Difference, FundReport, FundDisclosure, Case, AuditEvent)
HUGE = "9" * 40


@pytest.fixture(autouse=True)
def on_day():
    with clock.travel(DAY):
        yield


@pytest.fixture
def staff(login):
    return {role: login(role) for role in ("accountant", "cashier", "reviewer_1", "supervisor")}


@pytest.fixture
def books(sessions) -> dict[str, int]:
    """October booked, swept and closed; November has a contribution file of 1,200.50."""
    with sessions() as db:
        with clock.travel("2026-10-12"):
            ledger.book_contribution(db, ACC, FUND, 50000, f"contribution:1:{FUND}", "十月征收")
        with clock.travel("2026-10-31"):
            ledger.sweep(db, ACC, 202610)
            ledger.close_period(db, ACC, FUND, 202610)
        entry = ledger.book_contribution(db, ACC, FUND, 120050, f"contribution:2:{FUND}", "十一月征收")
        db.commit()
        return {"entry": entry.id}


def counts(sessions) -> dict[str, int]:
    with sessions() as db:
        return {t.__tablename__: db.scalar(select(func.count()).select_from(t)) for t in TABLES}


def refused(client, sessions, method: str, url: str, headers: dict, *, status: int | None = None,
            code: str | None = None, field: str | None = "", **kwargs) -> dict:
    """The request is refused with the house error and nothing is written."""
    before = counts(sessions)
    reply = client.request(method, url, headers=headers, **kwargs)
    err = error_of(reply)
    if status is not None:
        assert reply.status_code == status, (url, reply.status_code, reply.text)
    if code is not None:
        assert err["code"] == code, (url, err)
    if field != "":
        assert err["field"] == field, (url, err)
    assert counts(sessions) == before, url
    return err


def _manual(lines, fund=FUND, **extra) -> dict:
    return {"fund": fund, "memo": "评审用手工凭证", "lines": lines, **extra}


GOOD = [{"account": 5501, "debit": "1.00"}, {"account": 1003, "credit": "1.00"}]


# --- the ledger ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "code", "field"), [
    (_manual([{"account": 5501, "debit": "100.00"}, {"account": 1003, "credit": "99.99"}]),
     "funds.unbalanced", "lines"),
    (_manual([{"account": 5501, "debit": "1"}, {"account": 1003, "credit": "1", "fund": "unemployment"}]),
     "funds.two_funds", "lines.1.fund"),
    (_manual(GOOD, entry_on="2026-10-15"), "funds.period_closed", "period"),
    (_manual([{"account": 1004, "debit": "10"}, {"account": 4801, "credit": "10"}]),
     "funds.expenditure_source", "lines"),
    (_manual(GOOD, fund="xyz"), "funds.unknown_fund", "fund"),
    (_manual([{"account": 5501, "debit": HUGE}, {"account": 1003, "credit": HUGE}]),
     None, None),
    (_manual([{"account": 5501, "debit": "1e30"}, {"account": 1003, "credit": "1e30"}]),
     "money.too_large", "lines.0.debit"),
    (_manual([{"account": 5501, "debit": "-5"}, {"account": 1003, "credit": "-5"}]),
     "money.invalid", "lines.0.debit"),
    (_manual([{"account": 5501, "debit": "0.001"}, {"account": 1003, "credit": "0.001"}]),
     "money.precision", "lines.0.debit"),
    (_manual([{"account": 5501, "debit": "1", "credit": "1"}, {"account": 1003, "credit": "1"}]),
     "funds.invalid_entry", "lines"),
    (_manual(GOOD, entry_on="2026-11-17"), "funds.future_date", "entry_on"),
    (_manual(GOOD[:1]), None, "lines"),
    ({"fund": FUND, "memo": "x", "lines": GOOD, "extra": 1}, None, "extra"),
])
def test_manual_entry_bad_vouchers(client, sessions, staff, books, body, code, field):
    err = refused(client, sessions, "POST", f"{API}/manual-entries", staff["accountant"],
                  json=body, code=code, field=field if field is not None else "")
    assert err["code"]


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"fund": "xyz", "bank": "fiscal", "amount": "1.00", "reference": "R1"}, "funds.unknown_fund", "fund"),
    ({"fund": FUND, "bank": "xyz", "amount": "1.00", "reference": "R1"}, "funds.bank", "bank"),
    ({"fund": FUND, "bank": "fiscal", "amount": "abc", "reference": "R1"}, "money.invalid", "amount"),
    ({"fund": FUND, "bank": "fiscal", "amount": "0", "reference": "R1"}, "funds.amount", "amount"),
    ({"fund": FUND, "bank": "fiscal", "amount": "-1", "reference": "R1"}, "money.invalid", "amount"),
    ({"fund": FUND, "bank": "fiscal", "amount": "1" + "0" * 19, "reference": "R1"}, None, "amount"),
    ({"fund": FUND, "bank": "fiscal", "amount": "1.00", "reference": ""}, None, "reference"),
    ({"fund": FUND, "bank": "fiscal", "amount": "1.00"}, None, "reference"),
])
def test_interest_bad_input(client, sessions, staff, books, body, code, field):
    refused(client, sessions, "POST", f"{API}/interest", staff["accountant"], json=body,
            code=code, field=field)


@pytest.mark.parametrize(("method", "url", "kwargs", "status", "field"), [
    ("POST", f"{API}/sweep?period=202613", {}, 422, "period"),
    ("POST", f"{API}/sweep?period=203001", {}, 422, "period"),
    ("POST", f"{API}/sweep?period=abc", {}, 422, "period"),
    ("POST", f"{API}/close", {"json": {"fund": "xyz", "period": 202610}}, 422, "fund"),
    ("POST", f"{API}/close", {"json": {"fund": FUND, "period": 202613}}, 422, "period"),
    ("POST", f"{API}/close", {"json": {"fund": FUND, "period": 202611}}, 409, "period"),
    ("POST", f"{API}/close", {"json": {"fund": FUND, "period": 203001}}, 409, "period"),
    ("POST", f"{API}/reversals", {"json": {"entry_id": 999999, "reason": "错"}}, 404, "entry_id"),
    ("POST", f"{API}/reversals", {"json": {"entry_id": 1, "reason": ""}}, 422, "reason"),
    ("POST", f"{API}/reversals", {"json": {"entry_id": 10**30, "reason": "错"}}, 422, "entry_id"),
    ("POST", f"{API}/entries/999999/confirm", {}, 404, "entry_id"),
    ("POST", f"{API}/entries/{10**30}/confirm", {}, 422, "entry_id"),
    ("GET", f"{API}/entries?fund=xyz", {}, 422, "fund"),
    ("GET", f"{API}/entries?period=202613", {}, 422, "period"),
    ("GET", f"{API}/entries?kind=xyz", {}, 422, "kind"),
    ("GET", f"{API}/awaiting?step=xyz", {}, 422, "step"),
    ("GET", f"{API}/trial-balance?fund=xyz&period=202610", {}, 422, "fund"),
    ("GET", f"{API}/trial-balance?fund={FUND}&period=202613", {}, 422, "period"),
    ("GET", f"{API}/trial-balance.xlsx?fund={FUND}&period=202600", {}, 422, "period"),
])
def test_ledger_endpoints_bad_input(client, sessions, staff, books, method, url, kwargs, status,
                                    field):
    who = staff["cashier"] if url.endswith("/confirm") else staff["accountant"]
    refused(client, sessions, method, url, who, status=status, field=field, **kwargs)


def test_a_transfer_out_voucher_can_be_reversed(client, sessions, staff, books):
    """R§40 解读 原渠道退回支付资金: the reversal of a transfer out debits the expenditure account
    back (found by this review, fixed on main in 4539999 — the reversal is read as a mirror)."""
    with sessions() as db:
        entry = ledger.book_transfer(db, ACC, FUND, "out", 10000, "transfer:t1", "转出")
        db.commit()
        entry_id = entry.id
    reply = client.post(f"{API}/reversals", headers=staff["accountant"],
                        json={"entry_id": entry_id, "reason": "误转"})
    assert reply.status_code == 201, reply.text


# --- reconciliation ------------------------------------------------------------------------------

HEADER = "日期,金额,方向,摘要,参考号\n"


def _upload(client, headers, content: bytes, *, fund=FUND, account="income", period="202611",
            name="s.csv"):
    return client.post(f"{API}/reconciliations", headers=headers,
                       data={"fund": fund, "account": account, "period": period},
                       files={"file": (name, content, "text/csv")})


@pytest.mark.parametrize(("form", "content", "code", "field"), [
    ({"fund": "xyz"}, HEADER.encode(), "funds.unknown_fund", "fund"),
    ({"account": "xyz"}, HEADER.encode(), "funds.account", "account"),
    ({"period": "202613"}, HEADER.encode(), "funds.period", "period"),
    ({"period": "abc"}, HEADER.encode(), None, "period"),
    ({}, b"", "funds.statement_file", "file"),
    ({}, "日期,金额\n2026-11-16,1\n".encode(), "funds.statement_file", "file"),
    ({}, b"\xff\xfe\x00\x00\x81\x30", "funds.statement_file", "file"),
    ({}, b"PK\x03\x04not a workbook", "funds.statement_file", "file"),
])
def test_statement_upload_refused(client, sessions, staff, books, form, content, code, field):
    before = counts(sessions)
    err = error_of(_upload(client, staff["accountant"], content, **form))
    assert (code is None or err["code"] == code) and err["field"] == field, err
    assert counts(sessions) == before


def test_statement_for_a_future_month_is_refused(client, sessions, staff, books):
    before = counts(sessions)
    err = error_of(_upload(client, staff["accountant"], HEADER.encode(), period="203001"))
    assert err["field"] == "period"
    assert counts(sessions) == before


def test_statement_bad_rows_listed_rest_matched_and_twice_matched_once(client, sessions, staff,
                                                                       books):
    content = (HEADER
               + f"2026-11-16,1200.50,收,征收划入,JZ{books['entry']}\n"
               + "2026-11-31,5.00,收,坏日期,\n"
               + "2026-11-16,12x.00,收,坏金额,\n"
               + f"2026-11-16,{HUGE},收,超大金额,\n"
               + "2026-11-16,1e30,收,科学计数,\n"
               + "2026-11-16,-3.00,收,负数,\n").encode("gbk")
    first = _upload(client, staff["accountant"], content)
    assert first.status_code == 201, first.text
    shown = first.json()
    assert [(p["line"], p["field"]) for p in shown["problems"]] == [
        (3, "日期"), (4, "金额"), (5, "金额"), (6, "金额"), (7, "金额")]
    assert all(any("\u4e00" <= c <= "\u9fff" for c in p["message"]) for p in shown["problems"])
    assert shown["status"] == "balanced" and shown["differences"] == []  # the good row matched
    before = counts(sessions)
    again = _upload(client, staff["accountant"], content)
    assert again.status_code == 200 and again.json()["repeat"] is True
    assert counts(sessions) == before  # matched once
    record = shown["id"]
    refused(client, sessions, "POST", f"{API}/reconciliations/{record}/differences/999999/resolve",
            staff["accountant"], json={"reason": "x"}, status=404, field="difference_id")
    refused(client, sessions, "POST", f"{API}/reconciliations/999999/differences/1/resolve",
            staff["accountant"], json={"reason": "x"}, status=404, field="id")


def test_resolve_without_reason_and_twice(client, sessions, staff, books):
    content = (HEADER + "2026-11-16,7.00,收,银行多记,\n").encode()
    record = _upload(client, staff["accountant"], content).json()
    diff = record["differences"][0]["id"]
    url = f"{API}/reconciliations/{record['id']}/differences/{diff}/resolve"
    refused(client, sessions, "POST", url, staff["accountant"], json={"reason": "  "},
            status=422, field="reason")
    assert client.post(url, headers=staff["accountant"], json={"reason": "未达账项"}).status_code == 200
    refused(client, sessions, "POST", url, staff["accountant"], json={"reason": "again"},
            status=409, field="difference_id")


# --- budget -------------------------------------------------------------------------------------

@pytest.fixture
def draft(client, staff, books) -> int:
    reply = client.post(f"{API}/budgets", headers=staff["accountant"], json={"fund": FUND, "year": 2027})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


@pytest.mark.parametrize(("items", "code", "field"), [
    ([{"item": "benefits", "amount": -1}], "funds.budget_negative", "items.benefits.amount"),
    ([{"item": "benefits", "amount": 12.5}], None, "items.0.amount"),
    ([{"item": "benefits", "amount": "12.5"}], None, "items.0.amount"),
    ([{"item": "benefits", "amount": "abc"}], None, "items.0.amount"),
    ([{"item": "benefits", "amount": None}], None, "items.0.amount"),
    ([{"item": "benefits", "amount": True}], None, "items.0.amount"),
    ([{"item": "benefits", "amount": 10**20}], "money.too_large", "items.benefits.amount"),
    ([{"item": "benefits", "amount": 10**400}], None, None),
    ([{"item": "lottery", "amount": 1}], "funds.budget_item", "items"),
    ([{"item": "benefits", "amount": 1}, {"item": "benefits", "amount": 2}],
     "funds.budget_item", "items.benefits"),
    ([], "funds.budget_items", "items"),
])
def test_budget_items_bad_amounts(client, sessions, staff, draft, items, code, field):
    err = refused(client, sessions, "PUT", f"{API}/budgets/{draft}/items", staff["accountant"],
                  json={"items": items}, code=code, field=field if field is not None else "")
    assert err["code"]


def test_budget_bad_requests(client, sessions, staff, draft):
    acc = staff["accountant"]
    refused(client, sessions, "POST", f"{API}/budgets", acc, json={"fund": "xyz", "year": 2027},
            status=422, field="fund")
    refused(client, sessions, "POST", f"{API}/budgets", acc, json={"fund": FUND, "year": 2026},
            status=422, field="year")
    refused(client, sessions, "POST", f"{API}/budgets", acc, json={"fund": FUND, "year": 10**30},
            status=422, field="year")
    refused(client, sessions, "POST", f"{API}/budgets", acc, json={"fund": FUND, "year": 2027},
            status=409, code="funds.budget_exists", field="year")
    refused(client, sessions, "POST", f"{API}/budgets/999999/submit", acc, status=404, field="id")
    refused(client, sessions, "POST", f"{API}/budgets/{draft}/approve", staff["reviewer_1"],
            status=409, code="funds.budget_state", field="id")
    refused(client, sessions, "POST", f"{API}/budgets/{draft}/revise", acc, status=409, field="id")
    assert client.post(f"{API}/budgets/{draft}/submit", headers=acc).status_code == 200
    refused(client, sessions, "POST", f"{API}/budgets/{draft}/return", staff["reviewer_1"],
            json={"reason": ""}, status=422, field="reason")
    refused(client, sessions, "PUT", f"{API}/budgets/{draft}/items", acc,
            json={"items": [{"item": "benefits", "amount": 1}]}, status=409,
            code="funds.budget_locked", field="id")
    refused(client, sessions, "GET", f"{API}/budgets?fund=xyz", acc, status=422, field="fund")


# --- reports ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "status", "field"), [
    (f"{API}/reports/monthly?fund=xyz&period=202610", 422, "fund"),
    (f"{API}/reports/monthly?fund={FUND}&period=202613", 422, "period"),
    (f"{API}/reports/monthly?fund={FUND}&period=202600", 422, "period"),
    (f"{API}/reports/monthly?fund={FUND}&period={HUGE}", 422, "period"),
    (f"{API}/reports/monthly.xlsx?fund={FUND}&period=202613", 422, "period"),
    (f"{API}/reports/monthly.pdf?fund=xyz&period=202610", 422, "fund"),
    (f"{API}/reports/monthly.xlsx?fund={FUND}&period=202610&report_id=999999", 404, "report_id"),
    (f"{API}/reports?year=20266", 422, "year"),
])
def test_report_reads_refused(client, sessions, staff, books, url, status, field):
    refused(client, sessions, "GET", url, staff["accountant"], status=status, field=field)


@pytest.mark.parametrize("url", [
    f"{API}/reports/monthly?fund={FUND}&period=202612",
    f"{API}/reports/monthly?fund={FUND}&period=203001",
    f"{API}/reports/monthly.xlsx?fund={FUND}&period=202701",
    f"{API}/reports/monthly.pdf?fund={FUND}&period=202701",
])
def test_report_for_a_future_period_is_refused(client, sessions, staff, books, url):
    """A month that has not begun has no figures: not a report of zeros."""
    refused(client, sessions, "GET", url, staff["accountant"], status=422,
            code="funds.period_future", field="period")


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    ({"fund": "xyz", "period": 202610}, 422, "funds.unknown_fund", "fund"),
    ({"fund": FUND, "period": 202613}, 422, "funds.period", "period"),
    ({"fund": FUND, "period": 202611}, 409, "funds.report_period_open", "period"),
    ({"fund": FUND, "period": 203001}, 422, "funds.period_future", "period"),
    ({"fund": FUND, "period": 202610, "reason": "x" * 301}, 422, None, "reason"),
])
def test_file_report_refused(client, sessions, staff, books, body, status, code, field):
    refused(client, sessions, "POST", f"{API}/reports", staff["accountant"], json=body,
            status=status, code=code, field=field)


def test_refiling_needs_a_reason_and_disclosure_needs_an_ended_closed_year(client, sessions, staff,
                                                                          books):
    acc = staff["accountant"]
    assert client.post(f"{API}/reports", headers=acc,
                       json={"fund": FUND, "period": 202610}).status_code == 201
    refused(client, sessions, "POST", f"{API}/reports", acc, json={"fund": FUND, "period": 202610},
            status=409, code="funds.report_filed", field="reason")
    for year, status in ((2026, 409), (2030, 409), (1800, 422), (29999, 422)):
        refused(client, sessions, "POST", f"{API}/reports/disclosures/{year}/publish", acc,
                status=status, field="year")
    with clock.travel("2027-01-05"):  # ended, but November and December are not closed
        refused(client, sessions, "POST", f"{API}/reports/disclosures/2026/publish", acc,
                status=409, code="funds.year_open", field="year")
    refused(client, sessions, "GET", "/api/v1/public/funds/2025", {}, status=404, field="year")
    refused(client, sessions, "GET", "/api/v1/public/funds/99999", {}, status=422, field="year")


# --- the funds pages' POST forms (jingban/web, owned by others) --------------------------------

def test_page_forms_refuse_bad_input_with_a_page_and_write_nothing(client, sessions, make_user,
                                                                  books):
    make_user("pacc", "accountant")
    token = sign_in(client, "pacc")
    before = counts(sessions)
    for url, data in (
            ("/funds/budgets", {"fund": "xyz", "year": "2027"}),
            ("/funds/budgets", {"fund": FUND, "year": "abc"}),
            ("/funds/manual", {"fund": FUND, "memo": "x", "account": "5501", "debit": "abc"}),
            (f"/funds/reports/{FUND}/202611", {}),
            ("/funds/disclosures", {"year": "2026"}),
            ("/funds/disclosures", {"year": "abcd"}),
            (f"/funds/entries/{books['entry']}/reversal", {"reason": ""}),
    ):
        reply = post(client, url, token, data)
        assert 400 <= reply.status_code < 500, (url, reply.status_code, reply.text[:300])
        assert counts(sessions) == before, url
    reply = client.post("/funds/reconciliations", data={"fund": FUND, "account": "income",
                                                        "period": "202613", "csrf_token": token},
                        files={"file": ("s.csv", HEADER.encode(), "text/csv")})
    assert 400 <= reply.status_code < 500, reply.text[:300]
    assert counts(sessions) == before


# --- permissions ---------------------------------------------------------------------------------

def _write_endpoints(entry: int, budget: int) -> list[tuple[str, str, dict]]:
    return [
        ("POST", f"{API}/interest", {"json": {"fund": FUND, "bank": "fiscal", "amount": "1.00",
                                              "reference": "R9"}}),
        ("POST", f"{API}/sweep?period=202611", {}),
        ("POST", f"{API}/close", {"json": {"fund": FUND, "period": 202610}}),
        ("POST", f"{API}/backfill", {}),
        ("POST", f"{API}/manual-entries", {"json": _manual(GOOD)}),
        ("POST", f"{API}/reversals", {"json": {"entry_id": entry, "reason": "错"}}),
        ("POST", f"{API}/entries/{entry}/confirm", {}),
        ("POST", f"{API}/reconciliations", {"data": {"fund": FUND, "account": "income",
                                                     "period": "202611"},
                                            "files": {"file": ("s.csv", HEADER.encode())}}),
        ("POST", f"{API}/reconciliations/1/differences/1/resolve", {"json": {"reason": "x"}}),
        ("POST", f"{API}/budgets", {"json": {"fund": "unemployment", "year": 2027}}),
        ("PUT", f"{API}/budgets/{budget}/items", {"json": {"items": [{"item": "benefits",
                                                                      "amount": 1}]}}),
        ("POST", f"{API}/budgets/{budget}/submit", {}),
        ("POST", f"{API}/budgets/{budget}/approve", {}),
        ("POST", f"{API}/budgets/{budget}/return", {"json": {"reason": "x"}}),
        ("POST", f"{API}/budgets/{budget}/revise", {}),
        ("POST", f"{API}/reports", {"json": {"fund": FUND, "period": 202610}}),
        ("POST", f"{API}/reports/disclosures/2025/publish", {}),
    ]


def test_supervisor_is_refused_every_funds_write(client, sessions, staff, books, draft):
    for method, url, kwargs in _write_endpoints(books["entry"], draft):
        refused(client, sessions, method, url, staff["supervisor"], status=403, **kwargs)


def test_supervisor_reads(client, staff, books, draft):
    for url in (f"{API}/entries", f"{API}/trial-balance?fund={FUND}&period=202611",
                f"{API}/budgets/{draft}", f"{API}/budgets/{draft}/execution",
                f"{API}/reports/monthly?fund={FUND}&period=202610", f"{API}/reconciliations",
                f"{API}/reports?year=2026"):
        assert client.get(url, headers=staff["supervisor"]).status_code == 200, url


def _items_form() -> dict:
    """The items form as the page fills it: every item's amount in yuan."""
    return {f"amount_{code}": "1.00" for code in (
        "contribution", "fiscal_subsidy", "collective_subsidy", "interest", "investment_return",
        "transfer_in", "higher_subsidy", "lower_remittance", "other_income", "benefits",
        "transfer_out", "lower_subsidy", "higher_remittance", "other_expense")}


def test_supervisor_items_form_is_forbidden_before_it_is_validated(client, sessions, make_user,
                                                                    books, draft):
    make_user("psup2", "supervisor")
    token = sign_in(client, "psup2")
    refused = post(client, f"/funds/budgets/{draft}/items", token, {})
    assert refused.status_code == 403  # the read-only guard answers before the form is parsed


def test_supervisor_pages_refuse_every_funds_form(client, sessions, make_user, books, draft):
    make_user("psup", "supervisor")
    token = sign_in(client, "psup")
    before = counts(sessions)
    for url, data in (
            ("/funds/budgets", {"fund": "unemployment", "year": "2027"}),
            (f"/funds/budgets/{draft}/items", _items_form()),
            (f"/funds/budgets/{draft}/submit", {}),
            ("/funds/manual", {"fund": FUND, "memo": "x"}),
            (f"/funds/entries/{books['entry']}/confirm", {}),
            (f"/funds/entries/{books['entry']}/reversal", {"reason": "错"}),
            (f"/funds/reports/{FUND}/202610", {}),
            ("/funds/disclosures", {"year": "2025"}),
    ):
        reply = post(client, url, token, data)
        assert reply.status_code == 403, (url, reply.status_code)
    reply = client.post("/funds/reconciliations", data={"fund": FUND, "account": "income",
                                                        "period": "202611", "csrf_token": token},
                        files={"file": ("s.csv", HEADER.encode(), "text/csv")})
    assert reply.status_code == 403
    assert counts(sessions) == before


def test_cashier_cannot_approve_and_accountant_cannot_confirm(client, sessions, staff, books,
                                                              draft):
    acc, cashier = staff["accountant"], staff["cashier"]
    # the accountant prepared it; the cashier's signature is the only confirm
    refused(client, sessions, "POST", f"{API}/entries/{books['entry']}/confirm", acc, status=403)
    assert client.post(f"{API}/budgets/{draft}/submit", headers=acc).status_code == 200
    refused(client, sessions, "POST", f"{API}/budgets/{draft}/approve", cashier, status=403)
    refused(client, sessions, "POST", f"{API}/budgets/{draft}/return", cashier,
            json={"reason": "x"}, status=403)
    case = client.post(f"{API}/manual-entries", headers=acc, json=_manual(GOOD)).json()
    refused(client, sessions, "POST", f"/api/v1/cases/{case['id']}/decisions", cashier,
            json={"level": 1, "decision": "approve", "reason": "同意"}, status=403)
    assert client.post(f"{API}/entries/{books['entry']}/confirm", headers=cashier).status_code == 200
