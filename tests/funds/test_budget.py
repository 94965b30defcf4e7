"""The fund budget (R§39): pre-fill and annualising worked by hand, the review with separate
preparer and reviewer, the lock after approval, revisions, and execution against the
time-proportional path — rules alone, then the service on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, PermissionDenied
from jingban.core.models import AuditEvent
from jingban.funds.budget import rules
from jingban.funds.budget import service as budgets
from jingban.funds.budget.models import Budget
from jingban.funds.budget.service import Change
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.rules import Line

ACC = Actor("acc", frozenset({"accountant"}), True, "test")
ACC2 = Actor("acc2", frozenset({"accountant"}), True, "test")
REVIEWER = Actor("rev", frozenset({"reviewer_1"}), True, "test")
CASHIER = Actor("cash", frozenset({"cashier"}), True, "test")
FUND = "pension_enterprise"
INCOME = rules.BudgetItem("contribution", "社会保险费收入", "income", (4001,))
EXPENSE = rules.BudgetItem("benefits", "社会保险待遇支出", "expense", (5001,))


# --- rules ---------------------------------------------------------------------------------------

def test_basis_is_the_whole_months_of_this_year_or_last_year_in_january():
    assert rules.basis(dt.date(2026, 10, 15)) == (202601, 202609, 9)
    assert rules.basis(dt.date(2026, 2, 1)) == (202601, 202601, 1)
    assert rules.basis(dt.date(2027, 1, 20)) == (202601, 202612, 12)
    assert rules.remaining_months(dt.date(2026, 10, 15)) == 3
    assert rules.remaining_months(dt.date(2027, 1, 20)) == 12


def test_item_actual_nets_reversals_on_the_items_normal_side():
    sums = {4001: (5_000, 905_000), 5001: (300_000, 20_000), 1002: (900_000, 0)}
    assert rules.item_actual(INCOME, sums) == 900_000
    assert rules.item_actual(EXPENSE, sums) == 280_000
    assert rules.item_actual(rules.BudgetItem("x", "x", "income", (4301, 4401)), sums) == 0


def test_annualise_and_opening_balance_by_hand():
    assert rules.annualise(9_000_000, 9) == 12_000_000          # 90,000.00 × 12 / 9
    assert rules.annualise(100_000, 9) == 133_333               # 1,000.00 × 12 / 9 = 1,333.333…
    assert rules.annualise(100_001, 7) == 171_430               # 171,430.2857… half-up
    assert rules.annualise(5, 8) == 8                           # 7.5 fen → 8 (half-up)
    assert rules.annualise(-500, 9) == 0 and rules.annualise(700, 0) == 0
    # 61,000.00 booked, 81,333.33 a year net, three months left: 61,000 + 20,333.3325
    assert rules.opening_balance(6_100_000, 8_133_333, 3) == 8_133_333
    assert rules.year_balance({"contribution": 500, "benefits": 200}, [INCOME, EXPENSE]) == (500, 200, 300)


def test_review_problem_separates_preparer_and_reviewer():
    assert rules.review_problem("submitted", "rev", "acc", "acc") is None
    assert "不相容" in rules.review_problem("submitted", "acc", "acc", "acc")
    assert "不相容" in rules.review_problem("submitted", "acc2", "acc", "acc2")
    assert "待审核" in rules.review_problem("draft", "rev", "acc", None)


def test_time_share_and_execution_flags():
    assert rules.time_share(2027, dt.date(2027, 3, 31)) == Fraction(90, 365)
    assert rules.time_share(2027, dt.date(2026, 12, 31)) == 0
    assert rules.time_share(2027, dt.date(2028, 1, 1)) == 1
    assert rules.time_share(2028, dt.date(2028, 12, 30)) == Fraction(365, 366)
    assert rules.percent(3_000_000, 12_000_000) == 25 and rules.percent(5, 0) is None
    share, ten = Fraction(90, 365), Fraction(10)
    assert rules.execution_flag(12_000_000, 3_000_000, share, ten) is None  # 25% vs 24.7%
    assert rules.execution_flag(4_000_000, 2_000_000, share, ten) == "超时间进度 25.3 个百分点"
    assert rules.execution_flag(133_333, 0, share, ten) == "低于时间进度 24.7 个百分点"
    assert rules.execution_flag(0, 50_000, share, ten) == "无预算数但已发生"
    assert rules.execution_flag(0, 0, share, ten) is None
    assert rules.execution_flag(1000, 346, share, ten) is None  # 34.6 − 24.66 = 9.94 ≤ 10


# --- service -------------------------------------------------------------------------------------

def _benefits(db, amount: int, key: str) -> None:
    """A benefit expense paid from the fiscal account (借 待遇支出，贷 财政专户存款)."""
    ledger.book(db, ACC, fund=FUND, source=f"benefits:{key}", memo="待遇支出",
                lines=[Line(5001, debit=amount), Line(1003, credit=amount)])


def _this_year(db):
    """2026 in the ledger: contributions 90,000.00 (March), benefits 30,000.00 (May),
    transfer-in 1,000.00 (June); October's 500.00 is after the basis months."""
    with clock.travel("2026-03-10"):
        ledger.book_contribution(db, ACC, FUND, 9_000_000, "contribution:b1:" + FUND, "征收划入")
    with clock.travel("2026-05-10"):
        _benefits(db, 3_000_000, "b1")
    with clock.travel("2026-06-10"):
        ledger.book_transfer(db, ACC, FUND, "in", 100_000, "transfer:b1:" + FUND, "转入")
    with clock.travel("2026-10-05"):
        ledger.book_contribution(db, ACC, FUND, 50_000, "contribution:b2:" + FUND, "征收划入")


def _draft(db) -> Budget:
    _this_year(db)
    with clock.travel("2026-10-15"):
        return budgets.create_draft(db, ACC, FUND, 2027)


def _audits(db) -> int:
    return db.execute(select(func.count()).select_from(AuditEvent)).scalar()


def test_draft_prefilled_from_this_years_actuals(db):
    budget = _draft(db)
    assert (budget.basis_from, budget.basis_to, budget.basis_months) == (202601, 202609, 9)
    shown = budgets.view(db, ACC, budget.id)
    amounts = {r["item"]: (r["actual"], r["estimate"], r["amount"]) for r in shown["rows"]}
    assert [r["name"] for r in shown["rows"]][:3] == ["社会保险费收入", "财政补贴收入", "集体补助收入"]
    assert len(shown["rows"]) == 14
    assert amounts["contribution"] == (9_000_000, 12_000_000, 12_000_000)
    assert amounts["benefits"] == (3_000_000, 4_000_000, 4_000_000)
    assert amounts["transfer_in"] == (100_000, 133_333, 133_333)
    assert amounts["interest"] == (0, 0, 0)
    assert (shown["income"], shown["expense"], shown["balance"]) == (12_133_333, 4_000_000, 8_133_333)
    assert shown["opening_balance"] == 6_100_000 + 2_033_333
    assert shown["closing_balance"] == 8_133_333 + 8_133_333
    assert shown["status_name"] == "编制中" and shown["editable"]


def test_draft_refusals_write_nothing(db):
    _this_year(db)
    with clock.travel("2026-10-15"):
        before = _audits(db)
        with pytest.raises(InvalidInput) as refused:
            budgets.create_draft(db, ACC, FUND, 2026)
        assert (refused.value.code, refused.value.field) == ("funds.budget_year", "year")
        with pytest.raises(InvalidInput) as refused:
            budgets.create_draft(db, ACC, "nope", 2027)
        assert refused.value.field == "fund"
        with pytest.raises(PermissionDenied):
            budgets.create_draft(db, REVIEWER, FUND, 2027)
        assert _audits(db) == before and budgets.budgets(db, ACC) == []
        budgets.create_draft(db, ACC, FUND, 2027)
        with pytest.raises(Conflict) as refused:
            budgets.create_draft(db, ACC2, FUND, 2027)
        assert refused.value.code == "funds.budget_exists"


def test_edit_refusals_write_nothing_and_an_edit_is_audited(db):
    budget = _draft(db)
    before = _audits(db)
    for changes, code, field in [
            ([Change("contribution", 1), Change("benefits", -1)], "funds.budget_negative",
             "items.benefits.amount"),
            ([Change("contribution", 1), Change("lottery", 5)], "funds.budget_item", "items"),
            ([Change("interest", 1), Change("interest", 2)], "funds.budget_item", "items.interest"),
            ([], "funds.budget_items", "items")]:
        with pytest.raises(InvalidInput) as refused:
            budgets.edit_items(db, ACC, budget.id, changes)
        assert (refused.value.code, refused.value.field) == (code, field)
        assert "预算" in refused.value.message
    db.expire_all()
    assert {x.item: x.amount for x in db.get(Budget, budget.id).items}["contribution"] == 12_000_000
    assert _audits(db) == before
    budgets.edit_items(db, ACC, budget.id, [Change("contribution", 12_500_000, " 缴费基数增长 "),
                                            Change("fiscal_subsidy", 800_000)])
    shown = budgets.view(db, ACC, budget.id)
    row = next(r for r in shown["rows"] if r["item"] == "contribution")
    assert (row["amount"], row["note"], row["estimate"]) == (12_500_000, "缴费基数增长", 12_000_000)
    assert shown["income"] == 12_500_000 + 800_000 + 133_333
    event = db.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    assert event.act == "funds.budget_edit" and event.subject == f"fund_budget:{budget.id}"


def test_review_separation_lock_and_return(db):
    budget = _draft(db)
    with pytest.raises(Conflict):
        budgets.approve(db, REVIEWER, budget.id)  # not submitted yet
    budgets.submit(db, ACC, budget.id)
    with pytest.raises(Conflict) as refused:
        budgets.edit_items(db, ACC, budget.id, [Change("interest", 1)])
    assert (refused.value.code, refused.value.field) == ("funds.budget_locked", "id")
    with pytest.raises(PermissionDenied):
        budgets.approve(db, ACC, budget.id)
    own = Actor("acc", frozenset({"reviewer_2"}), True, "test")  # the preparer, another hat
    before = _audits(db)
    with pytest.raises(Conflict) as refused:
        budgets.approve(db, own, budget.id)
    assert refused.value.code == "funds.same_person" and "不相容" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        budgets.return_(db, REVIEWER, budget.id, "  ")
    assert refused.value.field == "reason"
    db.expire_all()
    assert db.get(Budget, budget.id).status == "submitted" and _audits(db) == before
    assert db.get(Budget, budget.id).reviewed_by is None
    budgets.return_(db, REVIEWER, budget.id, "社会保险费收入未会同征收机构核定")
    returned = db.get(Budget, budget.id)
    assert returned.status == "returned" and returned.return_reason.startswith("社会保险费收入")
    budgets.edit_items(db, ACC, budget.id, [Change("contribution", 12_300_000, "已与税务核定")])
    budgets.submit(db, ACC2, budget.id)
    with pytest.raises(Conflict):
        budgets.approve(db, Actor("acc2", frozenset({"reviewer_1"}), True, "test"), budget.id)
    budgets.approve(db, REVIEWER, budget.id)
    locked = db.get(Budget, budget.id)
    assert locked.status == "approved" and locked.reviewed_by == "rev"
    with pytest.raises(Conflict) as refused:
        budgets.edit_items(db, ACC, budget.id, [Change("interest", 1)])
    assert refused.value.code == "funds.budget_locked"
    with pytest.raises(Conflict):
        budgets.submit(db, ACC, budget.id)
    acts = db.execute(select(AuditEvent.act).where(AuditEvent.subject == f"fund_budget:{budget.id}")
                      .order_by(AuditEvent.id)).scalars().all()
    assert acts == ["funds.budget_draft", "funds.budget_submit", "funds.budget_return",
                    "funds.budget_edit", "funds.budget_submit", "funds.budget_approve"]


def test_revision_of_an_approved_budget_keeps_history(db):
    budget = _draft(db)
    with pytest.raises(Conflict):
        budgets.revise(db, ACC, budget.id)  # a draft is edited, not revised
    budgets.submit(db, ACC, budget.id)
    budgets.approve(db, REVIEWER, budget.id)
    with clock.travel("2028-01-05"), pytest.raises(Conflict) as refused:
        budgets.revise(db, ACC2, budget.id)
    assert refused.value.code == "funds.budget_year_closed"
    with clock.travel("2027-06-15"):
        revision = budgets.revise(db, ACC2, budget.id)
        with pytest.raises(Conflict) as refused:
            budgets.revise(db, ACC, budget.id)
        assert refused.value.code == "funds.budget_revision_open"
    assert (revision.version, revision.revises_id, revision.status) == (2, budget.id, "draft")
    assert {x.item: x.amount for x in revision.items} == {x.item: x.amount for x in budget.items}
    budgets.edit_items(db, ACC2, revision.id, [Change("benefits", 4_500_000, "待遇调整")])
    assert db.get(Budget, budget.id).status == "approved"  # in force until the revision is
    budgets.submit(db, ACC2, revision.id)
    budgets.approve(db, REVIEWER, revision.id)
    db.expire_all()
    assert db.get(Budget, budget.id).status == "superseded"
    assert {x.item: x.amount for x in db.get(Budget, budget.id).items}["benefits"] == 4_000_000
    history = budgets.view(db, CASHIER, revision.id)["history"]
    assert [(b.version, b.status) for b in history] == [(1, "superseded"), (2, "approved")]
    assert [b.version for b in budgets.budgets(db, CASHIER, fund=FUND, year=2027)] == [2, 1]
    with pytest.raises(Conflict):
        budgets.revise(db, ACC, budget.id)  # superseded


def _next_year(db):
    """2027: contributions 20,000.00 (January) and 10,000.00 (March), benefits 20,000.00
    (February), a recovery of 500.00 with no budget."""
    with clock.travel("2027-01-15"):
        ledger.book_contribution(db, ACC, FUND, 2_000_000, "contribution:n1:" + FUND, "征收划入")
    with clock.travel("2027-02-10"):
        _benefits(db, 2_000_000, "n1")
    with clock.travel("2027-03-15"):
        ledger.book_contribution(db, ACC, FUND, 1_000_000, "contribution:n2:" + FUND, "征收划入")
        ledger.book_recovery(db, ACC, FUND, 50_000, "recovery:n1:" + FUND, "追回")


def test_execution_by_month_against_the_time_path(db):
    budget = _draft(db)
    _next_year(db)
    with clock.travel("2027-03-31"):
        shown = budgets.execution(db, CASHIER, budget.id)
    assert shown["periods"] == [202701, 202702, 202703]
    assert shown["time_share"] == 24.7 and shown["threshold"] == 10
    rows = {r["item"]: r for r in shown["rows"]}
    contribution = rows["contribution"]
    assert contribution["months"] == [2_000_000, 0, 1_000_000]
    assert (contribution["cumulative"], contribution["percent"], contribution["remaining"]) == (
        3_000_000, 25.0, 9_000_000)
    assert contribution["flag"] is None
    assert rows["benefits"]["percent"] == 50.0 and rows["benefits"]["flag"] == "超时间进度 25.3 个百分点"
    assert rows["transfer_in"]["flag"] == "低于时间进度 24.7 个百分点"
    assert rows["other_income"]["flag"] == "无预算数但已发生"
    assert rows["interest"]["flag"] is None and rows["interest"]["percent"] is None
    assert {r["item"] for r in shown["flagged"]} == {"benefits", "transfer_in", "other_income"}
    income, expense = shown["totals"]
    assert income["budget"] == 12_133_333 and income["cumulative"] == 3_050_000
    assert expense["months"] == [0, 2_000_000, 0] and expense["remaining"] == 2_000_000
    with clock.travel("2026-12-01"):
        early = budgets.execution(db, CASHIER, budget.id)
    assert early["periods"] == [] and early["flagged"] == [] and early["time_share"] == 0
    with clock.travel("2028-02-01"):
        late = budgets.execution(db, CASHIER, budget.id)
    assert len(late["periods"]) == 12 and late["time_share"] == 100


def test_excel_exports_in_yuan(db):
    from io import BytesIO

    from openpyxl import load_workbook
    budget = _draft(db)
    content, name = budgets.draft_xlsx(db, ACC, budget.id)
    assert name == "基金预算_企业职工基本养老保险_2027_第1版.xlsx"
    sheet = load_workbook(BytesIO(content)).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert float(rows["社会保险费收入"][3]) == 90000.0 and float(rows["社会保险费收入"][5]) == 120000.0
    assert float(rows["转移收入"][5]) == 1333.33
    assert float(rows["本年收支结余"][5]) == 81333.33
    _next_year(db)
    with clock.travel("2027-03-31"):
        content, _ = budgets.execution_xlsx(db, ACC, budget.id)
    sheet = load_workbook(BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["项目", "预算数（元）", "1月（元）", "2月（元）", "3月（元）"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert [float(x) for x in rows["社会保险费收入"][1:6]] == [120000.0, 20000.0, 0.0, 10000.0, 30000.0]
    assert rows["社会保险待遇支出"][6] == 50.0 and rows["社会保险待遇支出"][8] == "超时间进度 25.3 个百分点"
