"""Independent review (issue 10): one small fund year built through the services, every figure
computed by hand on paper and written here as literals (SPEC §9, Z-3(四), Z-10(6), R§39 解读,
R§50).

The enterprise pension fund of 2026, all amounts in fen:

  2026-01-05  opening balance, manual voucher (three-level case): 借 财政专户 2,000,000 / 贷 基金结余
  Jan  contribution file: 2 pension rows × 192,000 (1,280.00 + 640.00) = 384,000; one
       unemployment row 8,000 (another fund); payroll 202601: 300,000 + 200,000 = 500,000
  Feb  contribution 192,000; payroll 202602 500,000; the bank returns B's 200,000; an overpayment
       of A (50,000) ordered, 10,000 repaid in money
  Mar  contribution 3 × 192,000 = 576,000; payroll 202603: A 300,000 (40,000 deducted, the rest
       of the debt, under the 50 % cap), B 200,000, B's returned payment sent again 200,000 =
       700,000 gross, 660,000 net; transfer-in 5,000,000; fiscal-account interest 123,456
  Apr  contribution 192,000; payroll 500,000; transfer-out 1,000,000
  May  contribution 192,000; payroll 500,000; transfer-out 4,000,000
  every month: the income account swept to the fiscal account on the last day, then closed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from jingban.benefits.common.models import Award, Payment
from jingban.benefits.payroll import batch, returns
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.benefits.recovery.schemas import RepaymentIn
from jingban.cases import service as cases
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.funds.budget import service as budget
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.ledger.schemas import ManualEntryIn
from jingban.funds.reconciliation import service as reconciliation
from jingban.funds.reports import service as reports
from jingban.records import service as records
from jingban.registration.models import Person
from jingban.transfers import service as transfers
from jingban.transfers.models import FundMovement, Transfer
from tests.conftest import citizen_id
from tests.records.helpers import collector_csv, make_world, pension_row

ACC = Actor("acc", frozenset({"accountant"}), True, "api")
R1 = Actor("r1", frozenset({"reviewer_1"}), False, "api")
R2 = Actor("r2", frozenset({"reviewer_2"}), False, "api")
R3 = Actor("r3", frozenset({"reviewer_3"}), True, "api")
FUND = "pension_enterprise"


# --- the year, through the services ----------------------------------------------------------

def _award(db, amount: int, name: str) -> int:
    """A pension in payment from 202601 (the benefits area's decision is not under review)."""
    ssn = citizen_id(dt.date(1960, 1, 1))
    person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex="M",
                    birth_date=dt.date(1960, 1, 1), registered_on=dt.date(2000, 1, 1),
                    status="active")
    db.add(person)
    db.flush()
    db.add(Award(person_id=person.id, kind=FUND, monthly_amount=amount, basic_amount=amount,
                 breakdown="{}", basis="test", payee_name=name, status="active",
                 start_period=202601, bank_account=f"6217{person.id:012d}",
                 decided_on=dt.date(2025, 12, 1), decided_by="test"))
    db.commit()
    return person.id


def _contributions(db, world, periods: list[int], unemployment: bool = False) -> None:
    rows = [pension_row(world, f"R{p}", p) for p in periods]
    if unemployment:
        rows.append(pension_row(world, "U1", 202401, insurance="unemployment", base="8000.00",
                                employer_amount="40.00", personal_amount="40.00"))
    records.import_contributions(db, ACC, filename=f"c{periods[0]}.csv",
                                 content=collector_csv(rows))


def _movement(db, direction: str, fen: int) -> None:
    """A relationship transfer's fund movement, booked by the transfers area's posting."""
    n = db.execute(select(func.count()).select_from(Transfer)).scalar()
    moved = Transfer(ref=f"T{n}", kind=FUND, role="new", ssn="x", name="x",
                     old_region="110000", new_region="330100", applied_at="new",
                     applied_on=clock.today(), step="funds", due_on=clock.today())
    db.add(moved)
    db.flush()
    db.add(FundMovement(transfer_id=moved.id, insurance=FUND, direction=direction,
                        account_amount=0, pooled_amount=fen, amount=fen, peer_region="110000",
                        recorded_on=clock.today()))
    db.commit()
    assert transfers.book_all_movements(db, ACC) == 1


def _month_end(db, period: int, day: str) -> None:
    with clock.travel(day):
        ledger.sweep(db, ACC, period)
        for fund in (FUND, "unemployment"):
            ledger.close_period(db, ACC, fund, period)


def _voucher(db, memo: str, debit: int, credit: int, yuan: str) -> None:
    """A manual voucher through its three-level case (SPEC §2 high-risk)."""
    case = ledger.open_manual(db, ACC, ManualEntryIn(
        fund=FUND, memo=memo, lines=[{"account": debit, "debit": yuan},
                                     {"account": credit, "credit": yuan}]))
    for level, who in ((1, R1), (2, R2), (3, R3)):
        cases.decide(db, who, case.id, level, "approve", "同意")


def build_year(sessions, db, *, through: int = 202605) -> dict[str, int]:
    """Books the year up to ``through`` (YYYYMM); returns the persons' ids."""
    world = make_world(sessions)
    with clock.travel("2026-01-05"):
        a, b = _award(db, 300000, "领取人甲"), _award(db, 200000, "领取人乙")
        _voucher(db, "结转上年基金结余", 1003, 3001, "20000.00")
    with clock.travel("2026-01-16"):
        _contributions(db, world, [202401, 202402], unemployment=True)
        batch.run_payroll(db, ACC, 202601)
    _month_end(db, 202601, "2026-01-31")
    with clock.travel("2026-02-16"):
        _contributions(db, world, [202403])
        run = batch.run_payroll(db, ACC, 202602)
        paid_b = db.execute(select(Payment).join(Award, Award.id == Payment.award_id)
                            .where(Payment.run_id == run.id, Award.person_id == b)).scalar_one()
        returns.import_returns(db, ACC, 202602, f"JB202602-{paid_b.id},2000.00,账户已销户".encode())
    with clock.travel("2026-02-20"):
        debt = Debt(person_id=a, reason="多领待遇", principal=50000, status="open",
                    ordered_on=dt.date(2026, 2, 20), due_on=dt.date(2026, 3, 20), source_ref="t")
        db.add(debt)
        db.flush()
        db.add(DebtEntry(debt_id=debt.id, kind="order", amount=50000,
                         entry_on=dt.date(2026, 2, 20), reference="t", recorded_by="test"))
        db.commit()
        recovery.record_repayment(db, ACC, debt.id, RepaymentIn(amount=Decimal("100.00"),
                                                                reference="收据001"))
    _month_end(db, 202602, "2026-02-28")
    if through < 202603:
        return {"a": a, "b": b}
    with clock.travel("2026-03-16"):
        _contributions(db, world, [202404, 202405, 202406])
        batch.run_payroll(db, ACC, 202603)
    with clock.travel("2026-03-17"):
        _movement(db, "in", 5000000)
    with clock.travel("2026-03-20"):
        ledger.book_interest(db, ACC, FUND, "fiscal", 123456, "JX2026Q1")
    _month_end(db, 202603, "2026-03-31")
    with clock.travel("2026-04-16"):
        _contributions(db, world, [202407])
        batch.run_payroll(db, ACC, 202604)
    with clock.travel("2026-04-17"):
        _movement(db, "out", 1000000)
    _month_end(db, 202604, "2026-04-30")
    with clock.travel("2026-05-15"):
        _contributions(db, world, [202408])
        batch.run_payroll(db, ACC, 202605)
        _movement(db, "out", 4000000)
    _month_end(db, 202605, "2026-05-31")
    return {"a": a, "b": b}


# --- the monthly report ---------------------------------------------------------------------

# period: (income, expense, income acct, fiscal, expenditure acct, average benefit, months)
HAND = {
    # Jan: 4001 384,000; 5001 500,000. fiscal 2,000,000 + 384,000 swept − 500,000 paid
    202601: (384000, 500000, 0, 1884000, 0, 500000, Fraction(1884000, 500000)),
    # Feb: 4001 192,000 + 4801 10,000; 5001 500,000 − 200,000 returned. fiscal 1,884,000 +
    # 202,000 − 500,000; the returned 200,000 stays in the expenditure account
    202602: (202000, 300000, 0, 1586000, 200000, 400000, Fraction(1786000, 400000)),
    # Mar: 576,000 + 40,000 deducted + 5,000,000 transfer-in + 123,456 interest; 5001 700,000.
    # fiscal 1,586,000 − 660,000 net + 123,456 + 5,576,000 swept; average (5+3+7)/3 × 100,000
    202603: (5739456, 700000, 0, 6625456, 200000, 500000, Fraction(6825456, 500000)),
    # Apr: 192,000; 500,000 + 1,000,000 transfer-out. fiscal 6,625,456 − 1,500,000 + 192,000
    202604: (192000, 1500000, 0, 5317456, 200000, 500000, Fraction(5517456, 500000)),
    # May: 192,000; 500,000 + 4,000,000. fiscal 5,317,456 − 4,500,000 + 192,000 → below 3 months
    202605: (192000, 4500000, 0, 1009456, 200000, 500000, Fraction(1209456, 500000)),
}


def test_monthly_reports_match_the_hand_computation(sessions, db):
    build_year(sessions, db)
    with clock.travel("2026-06-05"):
        for period, (income, expense, inc, fiscal, exp, average, months) in HAND.items():
            got = reports.monthly_report(db, ACC, FUND, period)
            assert (got["income"], got["expense"]) == (income, expense), period
            assert got["surplus"] == income - expense
            assert got["balances"] == {"income": inc, "fiscal": fiscal, "expenditure": exp}, period
            assert got["reserve"] == inc + fiscal + exp
            assert got["accumulated"] == inc + fiscal + exp  # no other asset, no liability
            assert got["average_expense"] == average, period
            assert got["reserve_months"] == pytest.approx(float(months)), period
            assert got["warning"] is (months < 3), period
        march = {x["account"]: x["amount"] for x in reports.monthly_report(db, ACC, FUND, 202603)["lines"]}
        assert (march[4001], march[4301], march[4501], march[4801], march[5001], march[5201]) == (
            576000, 123456, 5000000, 40000, 700000, 0)
        assert [reports.monthly_report(db, ACC, FUND, p)["warning"] for p in HAND] == [
            False, False, False, False, True]  # 3.768, 4.465, 13.65, 11.03, 2.42 months
        # the accumulated balance = opening 2,000,000 + the five surpluses
        assert 2000000 + sum(i - e for i, e, *_ in HAND.values()) == 1209456
        other = reports.monthly_report(db, ACC, "unemployment", 202601)
        assert (other["income"], other["expense"], other["reserve"]) == (8000, 0, 8000)
        assert (other["reserve_months"], other["warning"]) == (None, False)  # nothing spent yet


def test_the_due_date_is_the_calendar_15th_even_on_a_holiday(sessions, db):
    """Z-3(四): "每月15日前" — the seed names the calendar day and says nothing of weekends or
    holidays; the code keeps the 15th (reading of the review: report)."""
    build_year(sessions, db, through=202602)
    with clock.travel("2026-03-02"):
        # 2026-02-15 is a Sunday inside the 2026 Spring Festival holiday (02-15 … 02-23)
        assert reports.monthly_report(db, ACC, FUND, 202601)["due_on"] == "2026-02-15"
        # 2026-03-15 is a Sunday
        assert reports.monthly_report(db, ACC, FUND, 202602)["due_on"] == "2026-03-15"
        assert reports.due_on(db, 202612) == dt.date(2027, 1, 15)  # the year turns
    with clock.travel("2026-02-24"):  # the first working day after the holiday
        filed = reports.file_report(db, ACC, FUND, 202601)
        assert (filed.due_on, filed.late) == (dt.date(2026, 2, 15), True)


# --- the budget --------------------------------------------------------------------------------

def test_budget_draft_prefilled_from_actuals_annualised(sessions, db):
    build_year(sessions, db)
    with clock.travel("2026-05-20"):
        draft = budget.create_draft(db, ACC, FUND, 2027)
        shown = budget.view(db, ACC, draft.id)
    # basis: January–April 2026, the whole months before May; estimate = actual × 12 ÷ 4
    assert (draft.basis_from, draft.basis_to, draft.basis_months) == (202601, 202604, 4)
    rows = {r["item"]: (r["actual"], r["estimate"], r["amount"]) for r in shown["rows"]}
    assert rows["contribution"] == (1344000, 4032000, 4032000)  # 384,000+192,000+576,000+192,000
    assert rows["interest"] == (123456, 370368, 370368)  # one quarter's interest × 3
    assert rows["transfer_in"] == (5000000, 15000000, 15000000)  # a one-off, × 3 as well
    assert rows["other_income"] == (50000, 150000, 150000)  # 10,000 repaid + 40,000 deducted
    assert rows["benefits"] == (2000000, 6000000, 6000000)  # 500,000+300,000+700,000+500,000
    assert rows["transfer_out"] == (1000000, 3000000, 3000000)
    for item in ("fiscal_subsidy", "collective_subsidy", "investment_return", "higher_subsidy",
                 "lower_remittance", "lower_subsidy", "higher_remittance", "other_expense"):
        assert rows[item] == (0, 0, 0), item
    assert [r["item"] for r in shown["rows"]] == [  # the R§39 解读 items, in its order
        "contribution", "fiscal_subsidy", "collective_subsidy", "interest", "investment_return",
        "transfer_in", "higher_subsidy", "lower_remittance", "other_income", "benefits",
        "transfer_out", "lower_subsidy", "higher_remittance", "other_expense"]
    # income 4,032,000 + 370,368 + 15,000,000 + 150,000; expenditure 6,000,000 + 3,000,000
    assert (shown["income"], shown["expense"], shown["balance"]) == (19552368, 9000000, 10552368)
    # 年初累计结余 2027: booked through April 5,517,456 (2,000,000 + Jan–Apr surpluses) + the
    # remaining eight months of 2026 (May–Dec) at the annual rate: 10,552,368 × 8 ÷ 12
    assert shown["opening_balance"] == 5517456 + 7034912
    assert shown["closing_balance"] == 12552368 + 10552368


def test_budget_execution_by_month_against_hand_figures(sessions, db):
    with clock.travel("2025-12-10"):  # the 2026 budget, drafted before the fund had books
        draft = budget.create_draft(db, ACC, FUND, 2026)
        assert {x.actual for x in draft.items} == {0} and draft.opening_balance == 0
        budget.edit_items(db, ACC, draft.id, [
            budget.Change("contribution", 2400000), budget.Change("interest", 400000),
            budget.Change("benefits", 6000000)])
        budget.submit(db, ACC, draft.id)
        budget.approve(db, R1, draft.id)
    build_year(sessions, db)
    with clock.travel("2026-05-20"):
        shown = budget.execution(db, ACC, draft.id)
    assert shown["periods"] == [202601, 202602, 202603, 202604, 202605]
    # 时间进度: 20 May is day 31+28+31+30+20 = 140 of 365
    assert shown["time_share"] == round(140 / 365 * 100, 1) == 38.4
    rows = {r["item"]: r for r in shown["rows"]}
    expect = {
        # months, cumulative, percent, remaining, flag
        "contribution": ([384000, 192000, 576000, 192000, 192000], 1536000, 64.0, 864000,
                         "超时间进度 25.6 个百分点"),  # 64.0 − 38.356 = 25.64
        "interest": ([0, 0, 123456, 0, 0], 123456, 30.9, 276544, None),  # −7.49: inside 10
        "benefits": ([500000, 300000, 700000, 500000, 500000], 2500000, 41.7, 3500000, None),
        "transfer_in": ([0, 0, 5000000, 0, 0], 5000000, None, -5000000, "无预算数但已发生"),
        "other_income": ([0, 10000, 40000, 0, 0], 50000, None, -50000, "无预算数但已发生"),
        "transfer_out": ([0, 0, 0, 1000000, 4000000], 5000000, None, -5000000, "无预算数但已发生"),
    }
    for item, (months, cumulative, percent, remaining, flag) in expect.items():
        row = rows[item]
        assert (row["months"], row["cumulative"], row["percent"], row["remaining"],
                row["flag"]) == (months, cumulative, percent, remaining, flag), item
    assert rows["fiscal_subsidy"]["flag"] is None and rows["fiscal_subsidy"]["cumulative"] == 0
    income, expense = shown["totals"]
    assert (income["budget"], income["months"], income["cumulative"]) == (
        2800000, [384000, 202000, 5739456, 192000, 192000], 6709456)
    assert (expense["budget"], expense["months"], expense["cumulative"]) == (
        6000000, [500000, 300000, 700000, 1500000, 4500000], 7500000)


# --- the public disclosure (R§50) -------------------------------------------------------------

def test_public_disclosure_numbers(sessions, db, client):
    build_year(sessions, db)
    with clock.travel("2026-06-22"):  # 委托投资收益 500.00 received into the fiscal account
        _voucher(db, "委托投资收益划入", 1003, 4401, "500.00")
    with clock.travel("2027-01-08"):
        for period in range(202606, 202613):
            for fund in (FUND, "unemployment"):
                ledger.close_period(db, ACC, fund, period)
        reports.publish_disclosure(db, ACC, 2026)
        shown = {x["fund"]: x for x in reports.disclosure(db, 2026)["funds"]}
        page = client.get("/public/funds/2026")
    pension = shown[FUND]
    # enrolled on 2026-12-31: the employee and the flexible worker of the world
    assert pension["participants"] == 2
    # the five months of the report test plus June's 50,000 investment return
    assert pension["income"] == 384000 + 202000 + 5739456 + 192000 + 192000 + 50000 == 6759456
    assert pension["expense"] == 500000 + 300000 + 700000 + 1500000 + 4500000 == 7500000
    assert pension["balance"] == 2000000 + 6759456 - 7500000 == 1259456
    # 收益 (R§50): the fund's interest 123,456 and its entrusted investment return 50,000
    assert pension["returns"] == 123456 + 50000
    assert (shown["unemployment"]["income"], shown["unemployment"]["balance"],
            shown["unemployment"]["participants"]) == (8000, 8000, 1)
    assert page.status_code == 200
    for text in ("67,594.56", "75,000.00", "12,594.56", "1,734.56"):
        assert text in page.text, text


# --- reconciliation of the year's accounts (Z-10(1)3) -------------------------------------------

def test_reconciliation_of_march_and_february_against_hand_figures(sessions, db):
    build_year(sessions, db)
    sweep = db.execute(select(JournalEntry).where(JournalEntry.kind == "sweep",
                                                  JournalEntry.fund == FUND,
                                                  JournalEntry.period == 202603)).scalar_one()
    fiscal = ("日期,金额,方向,摘要,参考号\n"
              "2026-03-16,6600.00,付,待遇发放,\n"  # the payroll's 660,000 net: exact
              "2026-03-21,1234.56,收,结息,\n"  # interest booked on the 20th: a date difference
              f"2026-03-31,55760.01,收,归集,JZ{sweep.id}\n"  # the sweep by voucher, 1 fen more
              "2026-03-25,88.00,收,银行多记,\n")  # nothing in the books
    with clock.travel("2026-04-08"):
        record = reconciliation.import_statement(db, ACC, fund=FUND, account="fiscal",
                                                 period=202603, filename="fiscal.csv",
                                                 content=fiscal.encode("gbk"))
        shown = reconciliation.view(db, ACC, record.id)
        kinds = sorted((d.kind, d.statement_amount, d.ledger_amount) for d in shown["differences"])
        assert kinds == [("amount", 5576001, 5576000), ("date", 123456, 123456),
                         ("missing_in_ledger", 8800, None)]
        # −660,000 + 123,456 + 5,576,001 + 8,800 and −660,000 + 123,456 + 5,576,000
        assert (record.statement_balance, record.ledger_balance) == (5048257, 5039456)
        assert record.status == "differences"
        for diff in shown["differences"]:
            reconciliation.resolve(db, ACC, record.id, diff.id, "未达账项，下月核销")
        assert reconciliation.get(db, ACC, record.id).status == "resolved"
        # February's expenditure account: the bank shows the payroll in and out, not the return
        spent = ("日期,金额,方向\n2026-02-16,5000.00,收\n2026-02-16,5000.00,付\n").encode()
        other = reconciliation.import_statement(db, ACC, fund=FUND, account="expenditure",
                                                period=202602, filename="exp.csv", content=spent)
        [missing] = reconciliation.view(db, ACC, other.id)["differences"]
        assert (missing.kind, missing.direction, missing.ledger_amount) == (
            "missing_in_statement", "in", 200000)
        assert (other.statement_balance, other.ledger_balance) == (0, 200000)
        assert audit.verify(db).ok
