"""Postings that were missing (issue 10 gaps, items 2 and 3): the resident pension's fiscal
subsidy is booked with its collector file, a contribution reversed through REC-CORRECTION
takes its share of the fund income back out, a recovery by deduction is booked once (with the
payroll), and the back-fill books what came before, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from jingban import wiring
from jingban.benefits.payroll import batch
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import DebtEntry
from jingban.benefits.recovery.schemas import RepaymentIn
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput
from jingban.funds.ledger import rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import EntrySign, JournalEntry, JournalLine
from jingban.funds.reconciliation import service as reconciliation
from jingban.records import service as records
from jingban.records.models import AccountEntry, Contribution, ContributionBatch
from jingban.registration.models import Person
from tests.funds.test_ledger_cases import R1, R2, R3
from tests.funds.test_postings import ACCOUNTANT, awards, debt
from tests.records.helpers import collector_csv, make_world, pension_row

CLERK = Actor("clerk", frozenset({"clerk"}), True, "counter")
RESIDENT = "pension_resident"
DAY = "2026-11-16"


@pytest.fixture(autouse=True)
def _on_day():
    with clock.travel(DAY):
        yield


def resident_row(world, record_id: str, period: int, personal: str = "500.00") -> dict:
    """A resident pension row: 500.00 yuan paid earns the 60.00 yuan subsidy tier."""
    return {**pension_row(world, record_id, period), "uscc": "", "ssn": world.resident, "base": "",
            "insurance": RESIDENT, "employer_amount": "0", "personal_amount": personal}


def lines_of(entry: JournalEntry) -> list[tuple[int, int, int]]:
    return sorted((x.account, x.debit, x.credit) for x in entry.lines)


def net(db, fund: str, account: int) -> int:
    """Credit minus debit of one account (an income account's balance)."""
    debit, credit = ledger.totals(db, fund).get(account, (0, 0))
    return credit - debit


def balanced(db) -> bool:
    return all(ledger.trial_balance(db, ACCOUNTANT, f, 299912)["balanced"] for f in rules.FUNDS)


def source(db, name: str) -> JournalEntry | None:
    return db.execute(select(JournalEntry).where(JournalEntry.source == name)).scalar()


def _import(db, world, rows, name: str = "c.csv") -> ContributionBatch:
    return records.import_contributions(db, ACCOUNTANT, filename=name, content=collector_csv(rows))


def test_the_resident_subsidy_is_fiscal_subsidy_income_booked_with_its_file_once(sessions):
    world = make_world(sessions)
    rows = [resident_row(world, "S1", 202401), resident_row(world, "S2", 202402, "100.00"),
            pension_row(world, "E1", 202401)]
    with sessions() as db:
        item = _import(db, world, rows)
        banks = ledger.banks(db)
        subsidy = source(db, f"subsidy:{item.id}:{RESIDENT}")
        assert (subsidy.fund, subsidy.kind, subsidy.amount) == (RESIDENT, "auto", 6000 + 3000)
        assert lines_of(subsidy) == [(banks["fiscal"], 9000, 0), (rules.FISCAL_SUBSIDY_INCOME, 0, 9000)]
        assert "政府补贴" in subsidy.memo and "90.00" in subsidy.memo
        # the subsidy is what the persons' accounts were credited with
        credited = db.scalar(select(func.sum(AccountEntry.amount)).where(AccountEntry.kind == "subsidy"))
        assert credited == 9000
        assert source(db, f"contribution:{item.id}:{RESIDENT}").amount == 60000
        assert source(db, f"subsidy:{item.id}:pension_enterprise") is None  # no subsidy there
        assert net(db, RESIDENT, rules.FISCAL_SUBSIDY_INCOME) == 9000 and balanced(db)
        _import(db, world, rows)  # the same file again
        assert records.book_all_subsidies(db, ACCOUNTANT) == 0
        assert db.scalar(select(func.count()).where(JournalEntry.source.startswith("subsidy:"))) == 1
        assert ledger.steps_needed(db, subsidy) == ["confirm"]  # the cashier sees the money


def test_a_failed_subsidy_booking_rolls_the_file_back(sessions, monkeypatch):
    world = make_world(sessions)
    with sessions() as db:
        def refuse(*args, **kwargs):
            raise InvalidInput("funds.period_closed", "已结账", "period")

        monkeypatch.setattr(records.ledger, "book_subsidy", refuse)
        with pytest.raises(InvalidInput):
            _import(db, world, [resident_row(world, "S1", 202401)])
        assert db.scalar(select(func.count()).select_from(ContributionBatch)) == 0
        assert db.scalar(select(func.count()).select_from(Contribution)) == 0
        assert db.scalar(select(func.count()).select_from(JournalEntry)) == 0


def correct(db, ssn: str, contribution_id: int) -> Case:
    """REC-CORRECTION: the clerk takes it in, three reviewers approve, the last runs the act."""
    case = cases.submit(db, CLERK, "REC-CORRECTION",
                        {"ssn": ssn, "contribution_id": contribution_id, "reason": "征收机构退费更正"},
                        provided=["correction_proof"])
    for level, who in ((1, R1), (2, R2), (3, R3)):
        case = cases.decide(db, who, case.id, level, "approve", "同意")
    assert case.status == "completed"
    return case


def _row(db, record_id: str) -> Contribution:
    return db.execute(select(Contribution).where(Contribution.record_id == record_id)).scalar_one()


def test_a_reversed_contribution_takes_its_share_of_the_income_back_out(sessions):
    world = make_world(sessions)
    with sessions() as db:
        item = _import(db, world, [resident_row(world, "S1", 202401), resident_row(world, "S2", 202402),
                                   pension_row(world, "E1", 202401)])
        ledger.sweep(db, ACCOUNTANT, 202611)  # the file's money is in the fiscal account now
        banks = ledger.banks(db)
        row = _row(db, "S1")
        case = correct(db, world.resident, row.id)
        reversal = db.execute(select(Contribution).where(Contribution.reverses_id == row.id)).scalar_one()
        entry = source(db, f"contribution:reversal:{reversal.id}")
        assert (entry.fund, entry.kind, entry.booked_by) == (RESIDENT, "auto", "r3")
        assert lines_of(entry) == sorted([
            (banks["income"], 50000, 0), (banks["fiscal"], 0, 50000),
            (rules.CONTRIBUTION_INCOME, 50000, 0), (banks["income"], 0, 50000),
            (rules.FISCAL_SUBSIDY_INCOME, 6000, 0), (banks["fiscal"], 0, 6000)])
        assert f"业务件 {case.id}" in entry.memo
        # one row of two is left: its contribution and subsidy, and the money in the fiscal account
        assert net(db, RESIDENT, rules.CONTRIBUTION_INCOME) == 50000
        assert net(db, RESIDENT, rules.FISCAL_SUBSIDY_INCOME) == 6000
        held = ledger.bank_balances(db, RESIDENT, 202611)
        assert held == {"income": 0, "fiscal": 56000, "expenditure": 0}  # the month still closes
        assert net(db, "pension_enterprise", rules.CONTRIBUTION_INCOME) == 192000  # untouched
        assert balanced(db) and audit.verify(db).ok
        with pytest.raises(Conflict) as twice:
            correct(db, world.resident, row.id)
        assert twice.value.code == "records.already_reversed"
        assert records.book_all_reversals(db, ACCOUNTANT) == 0
        # the collector's reconciliation sees the correction beside the file's income
        items = reconciliation.ledger_items(db, RESIDENT, "collector", 202611)
        assert sorted((i.direction, i.amount) for i, _ in items) == [("in", 100000), ("out", 50000)]
        assert {s for _, e in items if (s := db.get(JournalEntry, e).source)} == {
            f"contribution:{item.id}:{RESIDENT}", entry.source}


def test_a_correction_into_a_closed_month_is_refused_whole(sessions):
    world = make_world(sessions)
    with sessions() as db, clock.travel("2026-11-30"):
        _import(db, world, [pension_row(world, "E1", 202401), pension_row(world, "E2", 202402)])
        ledger.sweep(db, ACCOUNTANT, 202611)
        ledger.close_period(db, ACCOUNTANT, "pension_enterprise", 202611)
        row = _row(db, "E1")
        with pytest.raises(Conflict) as refused:  # the intake's dry run books it, and fails
            correct(db, world.employee, row.id)
        assert refused.value.code == "funds.period_closed"
        assert db.scalar(select(func.count()).where(Contribution.kind == "reversal")) == 0
        assert db.scalar(select(func.count()).where(AccountEntry.kind == "reversal")) == 0
        assert db.scalar(select(func.count()).where(
            JournalEntry.source.startswith("contribution:reversal:"))) == 0


def test_a_row_merged_by_a_transfer_is_corrected_without_touching_the_income(sessions):
    """Its money came as the transfer's fund movement (转移收入), not as contribution income."""
    world = make_world(sessions)
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == world.employee)).scalar_one()
        records.merge_transferred(db, ACCOUNTANT, person, "T1", "pension_enterprise", [
            {"period": 201001, "base": 300000, "employer_amount": 60000, "personal_amount": 24000,
             "account_amount": 24000, "paid_on": "2010-01-15"}], 0, None, 0)
        merged = _row(db, "TRFT1-1")
        correct(db, world.employee, merged.id)
        assert db.scalar(select(func.count()).select_from(JournalEntry)) == 0
        assert records.book_all_reversals(db, ACCOUNTANT) == 0


def test_a_bad_reversal_amount_is_refused(db):
    with pytest.raises(InvalidInput) as refused:
        ledger.book_contribution_reversal(db, ACCOUNTANT, RESIDENT, -1, 0, "contribution:reversal:x",
                                          "x")
    assert (refused.value.code, refused.value.field) == ("funds.negative", "amount")
    assert ledger.book_contribution_reversal(db, ACCOUNTANT, RESIDENT, 0, 0, "contribution:reversal:y",
                                             "x") is None


def test_a_deduction_is_booked_once_with_the_payroll_and_never_as_a_receipt(db):
    """Recovery by deduction (R§46): the payroll entry's 其他收入 line is the recovery; the
    repayment booking is for money paid back, the account offset moves no fund money, and the
    fund's other income is exactly what the debt ledger says came back in money."""
    payee = awards(db, [300000])[0]
    owed = debt(db, payee, 500000)
    run = batch.run_payroll(db, ACCOUNTANT, 202611)
    deducted = -db.scalar(select(func.sum(DebtEntry.amount)).where(DebtEntry.kind == "deduction"))
    assert 0 < deducted < 500000
    recovery.record_repayment(db, ACCOUNTANT, owed, RepaymentIn(amount=Decimal("100.00"),
                                                                reference="收据"))
    with clock.travel("2026-12-16"):
        batch.run_payroll(db, ACCOUNTANT, 202612)
    money_back = -db.scalar(select(func.sum(DebtEntry.amount))
                            .where(DebtEntry.kind.in_(["deduction", "repayment"])))
    assert money_back == 2 * deducted + 10000
    other = net(db, "pension_enterprise", rules.OTHER_INCOME)
    assert other == money_back
    payroll = source(db, f"payroll:{run.id}:pension_enterprise")
    assert (rules.OTHER_INCOME, 0, deducted) in lines_of(payroll)
    # only repayments are receipts of their own; nothing books the deductions a second time
    assert db.scalar(select(func.count()).where(JournalEntry.source.startswith("repayment:"))) == 1
    assert recovery.book_all_repayments(db, ACCOUNTANT) == 0
    assert batch.book_all_payroll(db, ACCOUNTANT) == 0
    assert net(db, "pension_enterprise", rules.OTHER_INCOME) == money_back
    # the benefit expense is the gross paid: the deduction is not taken off it as well
    assert -net(db, "pension_enterprise", rules.BENEFIT_EXPENSE) == 2 * 300000
    assert balanced(db)


def test_backfill_books_subsidies_and_corrections_written_before_once(sessions):
    wiring.install()
    world = make_world(sessions)
    with sessions() as db:
        item = _import(db, world, [resident_row(world, "S1", 202401), resident_row(world, "S2", 202402),
                                   pension_row(world, "E1", 202401)])
        correct(db, world.resident, _row(db, "S2").id)
        correct(db, world.employee, _row(db, "E1").id)
        before = {e.source: lines_of(e) for e in db.execute(select(JournalEntry)).scalars()}
        # as if all of this had been written before the ledger existed
        for table in (EntrySign, JournalLine, JournalEntry):
            db.execute(delete(table))
        db.commit()
        admin = Actor("acc2", frozenset({"accountant"}), True, "cli")
        booked = ledger.backfill(db, admin)
        assert booked == {"contribution_reversals": 2, "contributions": 2, "payroll": 0,
                          "repayments": 0, "subsidies": 1, "transfers": 0}
        assert ledger.backfill(db, admin) == dict.fromkeys(booked, 0)
        after = {e.source: lines_of(e) for e in db.execute(select(JournalEntry)).scalars()}
        assert after == before  # the same entries as when booked with their acts
        assert f"subsidy:{item.id}:{RESIDENT}" in after
        assert net(db, RESIDENT, rules.CONTRIBUTION_INCOME) == 50000
        assert net(db, RESIDENT, rules.FISCAL_SUBSIDY_INCOME) == 6000
        assert net(db, "pension_enterprise", rules.CONTRIBUTION_INCOME) == 0
        assert balanced(db)


def test_backfill_books_only_the_subsidy_of_a_file_whose_income_was_booked(sessions):
    """A file imported after the ledger but before subsidies were booked: its contribution
    entry stands, only the subsidy is missing — and it is added once."""
    wiring.install()
    world = make_world(sessions)
    with sessions() as db:
        item = _import(db, world, [resident_row(world, "S1", 202401)])
        db.execute(delete(JournalLine).where(JournalLine.entry_id == source(
            db, f"subsidy:{item.id}:{RESIDENT}").id))
        db.execute(delete(JournalEntry).where(JournalEntry.source.startswith("subsidy:")))
        db.commit()
        assert records.book_all_contributions(db, ACCOUNTANT) == 0
        assert records.book_all_subsidies(db, ACCOUNTANT) == 1
        assert records.book_all_subsidies(db, ACCOUNTANT) == 0
        assert net(db, RESIDENT, rules.FISCAL_SUBSIDY_INCOME) == 6000 and balanced(db)
        assert db.scalar(select(func.count()).select_from(JournalEntry)) == 2
