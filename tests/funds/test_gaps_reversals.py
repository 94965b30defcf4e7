"""Reversals read by their own rule (issue 10 gaps, item 1): every kind of system entry can be
reversed through its FUND-REVERSAL case — the transfer out too, whose reversal debits the
expenditure account from the transfer expense — and the books come back to where they were;
but a "reversal" that is not the exact mirror of an allowed entry is no way round the
expenditure account's rule (财社〔2017〕144号 第四十一条)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jingban.benefits.common.models import Payment
from jingban.benefits.payroll import batch, returns
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.schemas import RepaymentIn
from jingban.cases.models import Case
from jingban.core import audit, clock
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.funds.ledger import rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.ledger.rules import Line
from jingban.funds.ledger.schemas import ReversalIn
from jingban.records import service as records
from tests.funds.test_ledger_cases import ACC, approve_all
from tests.funds.test_postings import ACCOUNTANT, awards, debt
from tests.records.helpers import collector_csv, make_world, pension_row

FUND = "pension_enterprise"
DAY = "2026-11-16"


@pytest.fixture(autouse=True)
def _on_day():
    with clock.travel(DAY):
        yield


def _every_kind(sessions) -> dict[str, JournalEntry]:
    """One booked entry of each kind the areas write, all in the enterprise pension fund."""
    world = make_world(sessions)
    db = sessions()
    payee = awards(db, [300000, 200000])[0]
    owed = debt(db, payee, 500000)
    records.import_contributions(db, ACCOUNTANT, filename="c.csv",
                                 content=collector_csv([pension_row(world, "V1", 202401)]))
    run = batch.run_payroll(db, ACCOUNTANT, 202611)
    paid = db.execute(select(Payment).where(Payment.run_id == run.id, Payment.deduction == 0)
                      .order_by(Payment.id)).scalars().first()
    returns.import_returns(db, ACCOUNTANT, 202611, (
        f"业务参考号,金额,退回原因\r\nJB202611-{paid.id},{Decimal(paid.net) / 100:.2f},账户已销户"
    ).encode())
    recovery.record_repayment(db, ACCOUNTANT, owed, RepaymentIn(amount=Decimal("20.00"),
                                                                reference="收据"))
    ledger.book_transfer(db, ACCOUNTANT, FUND, "in", 700000, "transfer:t-in", "转入")
    ledger.book_transfer(db, ACCOUNTANT, FUND, "out", 400000, "transfer:t-out", "转出")
    ledger.book_interest(db, ACCOUNTANT, FUND, "expenditure", 1234, "结息单1")
    ledger.sweep(db, ACCOUNTANT, 202611)
    prefixes = {"contribution": "contribution:", "payroll": "payroll:", "returned": "return:",
                "recovery": "repayment:", "transfer_in": "transfer:t-in",
                "transfer_out": "transfer:t-out", "interest": "interest:", "sweep": "sweep:"}
    found = {name: db.execute(select(JournalEntry).where(JournalEntry.source.startswith(p)))
             .scalar_one() for name, p in prefixes.items()}
    found["db"] = db
    return found


def _reverse(db, entry: JournalEntry) -> JournalEntry:
    case = ledger.open_reversal_case(db, ACC, ReversalIn(entry_id=entry.id, reason="测试冲销"))
    assert approve_all(db, case.id).status == "completed"
    return db.execute(select(JournalEntry).where(JournalEntry.reverses_id == entry.id)).scalar_one()


def _sums(db) -> dict[int, int]:
    return {a: d - c for a, (d, c) in ledger.totals(db, FUND).items()}


def test_every_kind_of_system_entry_is_reversed_through_its_case_and_the_books_return(sessions):
    booked = _every_kind(sessions)
    db = booked.pop("db")
    try:
        assert booked["transfer_out"].lines and ledger.banks(db)["expenditure"] in {
            x.account for x in booked["transfer_out"].lines}
        for name, entry in booked.items():
            reversal = _reverse(db, entry)
            mirrored = sorted((x.account, x.credit, x.debit) for x in entry.lines)
            assert sorted((x.account, x.debit, x.credit) for x in reversal.lines) == mirrored, name
            assert (reversal.kind, reversal.fund, reversal.amount) == ("reversal", FUND, entry.amount)
            assert ledger.trial_balance(db, ACC, FUND, 299912)["balanced"], name
        # every entry undone: each account back at nothing, the income account too
        assert {a: v for a, v in _sums(db).items() if v} == {}
        assert db.scalar(select(func.count()).select_from(Case)
                         .where(Case.status == "completed")) == len(booked)
        assert audit.verify(db).ok
    finally:
        db.close()


def _transfer_out(db) -> JournalEntry:
    return ledger.book_transfer(db, ACCOUNTANT, FUND, "out", 400000, "transfer:x", "转出")


def test_a_reversal_must_mirror_the_entry_it_reverses(db):
    original = _transfer_out(db)
    banks = ledger.banks(db)
    mirror = rules.reversal_lines([Line(x.account, x.debit, x.credit) for x in original.lines])
    # the receipt kept, the transfer expense's credit moved to "other income": a way round
    crooked = [Line(banks["expenditure"], debit=400000), Line(rules.OTHER_INCOME, credit=400000)]
    halved = [Line(x.account, x.debit // 2, x.credit // 2) for x in mirror]
    for lines in (crooked, halved, mirror[:2]):
        with pytest.raises(InvalidInput) as refused:
            ledger.book(db, ACC, fund=FUND, source="reversal:bad", memo="冲销", kind="reversal",
                        reverses_id=original.id, lines=lines)
        assert (refused.value.code, refused.value.field) == ("funds.reversal_mirror", "lines")
    with pytest.raises(InvalidInput) as refused:  # another fund's books
        ledger.book(db, ACC, fund="unemployment", source="reversal:bad", memo="冲销",
                    kind="reversal", reverses_id=original.id, lines=mirror)
    assert (refused.value.code, refused.value.field) == ("funds.two_funds", "fund")
    with pytest.raises(NotFound) as refused:
        ledger.book(db, ACC, fund=FUND, source="reversal:bad", memo="冲销", kind="reversal",
                    reverses_id=original.id + 99, lines=mirror)
    assert refused.value.code == "funds.entry_not_found"
    assert db.scalar(select(func.count()).select_from(JournalEntry)) == 1
    # the same receipt without the case's reversal is refused by the plain rule
    with pytest.raises(InvalidInput) as refused:
        ledger.book(db, ACC, fund=FUND, source="manual:x", memo="x", kind="manual", lines=mirror)
    assert refused.value.code == "funds.expenditure_source"
    done = ledger.book(db, ACC, fund=FUND, source="reversal:ok", memo="冲销", kind="reversal",
                       reverses_id=original.id, lines=list(reversed(mirror)))  # order is free
    assert done.reverses_id == original.id


def test_a_reversal_is_booked_once_and_never_reversed_again(db):
    """Straight through the ledger too (the case checks the same): once per entry, and a
    reversal is not itself reversed — booking it again is a new entry, not a 冲销."""
    original = _transfer_out(db)
    mirror = rules.reversal_lines([Line(x.account, x.debit, x.credit) for x in original.lines])
    first = ledger.book(db, ACC, fund=FUND, source="reversal:1", memo="冲销", kind="reversal",
                        reverses_id=original.id, lines=mirror)
    with pytest.raises(Conflict) as refused:
        ledger.book(db, ACC, fund=FUND, source="reversal:2", memo="冲销", kind="reversal",
                    reverses_id=original.id, lines=mirror)
    assert (refused.value.code, refused.value.field) == ("funds.reversed", "reverses_id")
    with pytest.raises(Conflict) as refused:
        ledger.book(db, ACC, fund=FUND, source="reversal:3", memo="冲销", kind="reversal",
                    reverses_id=first.id, lines=rules.reversal_lines(mirror))
    assert refused.value.code == "funds.reverse_reversal"
    assert db.scalar(select(func.count()).select_from(JournalEntry)) == 2


def test_a_contribution_reversed_after_the_sweep_is_made_good_by_the_next_sweep(sessions):
    """The reversal refunds from an income account already swept to zero: the month-end
    sweep draws the difference back from the fiscal account, and the month can be closed."""
    found = _every_kind(sessions)
    db = found["db"]
    _reverse(db, found["contribution"])
    assert ledger.bank_balances(db, FUND, 202611)["income"] < 0
    fiscal = ledger.bank_balances(db, FUND, 202611)["fiscal"]
    owed = -ledger.bank_balances(db, FUND, 202611)["income"]
    [refill] = ledger.sweep(db, ACCOUNTANT, 202611)
    assert refill.memo.startswith("202611 财政专户拨补收入户")
    balances = ledger.bank_balances(db, FUND, 202611)
    assert balances["income"] == 0 and balances["fiscal"] == fiscal - owed
    assert ledger.sweep(db, ACCOUNTANT, 202611) == []
    with clock.travel("2026-12-01"):
        assert ledger.close_period(db, ACC, FUND, 202611).period == 202611
