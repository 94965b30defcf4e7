"""Property (issue 10): any sequence of contribution files (with resident subsidies), payroll
runs, bank returns, repayments, transfer movements, contribution corrections and ledger
reversals leaves every fund's trial balance balanced and the ledger — leaving out reversed
entries and their reversals — equal to the business rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from jingban.benefits.common.models import Payment, PaymentReturn, PayrollRun
from jingban.benefits.payroll import batch, returns
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry, Refund
from jingban.benefits.recovery.schemas import RepaymentIn
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.funds.ledger import rules as ledger_rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.funds.ledger.rules import Line
from jingban.models import metadata
from jingban.records import service as records
from jingban.records.models import Contribution
from jingban.records.schemas import RecordCorrection
from jingban.transfers import service as transfers
from jingban.transfers.models import FundMovement, Transfer
from tests.funds.test_gaps_postings import resident_row
from tests.funds.test_postings import ACCOUNTANT, DAY, awards, debt
from tests.records.helpers import collector_csv, make_world, pension_row

REVIEWER = Actor("rev", frozenset({"reviewer_1"}), True, "api")
PERIODS = (202611, 202612)  # the months a run may pay on DAY (this month and the next)

OPS = st.lists(st.one_of(
    st.tuples(st.just("contribution"), st.integers(1, 3)),
    st.tuples(st.just("resident"), st.sampled_from(["100.00", "500.00", "1000.00"])),
    st.tuples(st.just("correct"), st.integers(0, 30)),
    st.tuples(st.just("payroll")),
    st.tuples(st.just("return"), st.integers(0, 3)),
    st.tuples(st.just("repay"), st.integers(1, 3000)),
    st.tuples(st.just("transfer"), st.sampled_from(["in", "out"]), st.integers(1, 10**7)),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
), max_size=8)


def _reset(engine) -> None:
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


class World:
    def __init__(self, sessions):
        self.people = make_world(sessions)
        self.db = sessions()
        payee = awards(self.db, [300000, 120000])[0]
        self.debt = debt(self.db, payee, 200000)
        self.months = self.resident_months = 0

    def contribution(self, count: int) -> None:
        rows = []
        for _ in range(count):
            year, month = divmod(self.months, 12)
            self.months += 1
            period = (2024 + year) * 100 + month + 1
            rows.append(pension_row(self.people, f"P{period}", period))
        records.import_contributions(self.db, ACCOUNTANT, filename="c.csv",
                                     content=collector_csv(rows))

    def resident(self, paid: str) -> None:
        """One resident pension month (its subsidy tier by the amount paid)."""
        year, month = divmod(self.resident_months, 12)
        self.resident_months += 1
        period = (2024 + year) * 100 + month + 1
        records.import_contributions(self.db, ACCOUNTANT, filename="r.csv", content=collector_csv(
            [resident_row(self.people, f"R{period}", period, paid)]))

    def correct(self, index: int) -> None:
        """冲正 of a contribution not reversed yet, as its case's final approval runs it."""
        reversed_ids = select(Contribution.reverses_id).where(Contribution.reverses_id.is_not(None))
        standing = self.db.execute(select(Contribution).where(
            Contribution.kind == "posted", Contribution.id.not_in(reversed_ids))
            .order_by(Contribution.id)).scalars().all()
        if standing:
            row = standing[index % len(standing)]
            ssn = self.people.resident if row.insurance == "pension_resident" else self.people.employee
            records.correct_record(self.db, REVIEWER.via("case"), ssn, RecordCorrection(
                contribution_id=row.id, reason="征收机构退费更正"))

    def payroll(self) -> None:
        done = self.db.execute(select(func.count()).select_from(PayrollRun)).scalar()
        if done < len(PERIODS):
            batch.run_payroll(self.db, ACCOUNTANT, PERIODS[done])

    def return_(self, index: int) -> None:
        run = self.db.execute(select(PayrollRun).order_by(PayrollRun.id.desc())).scalars().first()
        paid = self.db.execute(select(Payment).where(Payment.run_id == run.id, Payment.net > 0)
                               .order_by(Payment.id)).scalars().all() if run else []
        if paid:
            payment = paid[index % len(paid)]
            line = f"{batch.reference(run.period, 'regular', None, payment.id)}," \
                   f"{Decimal(payment.net) / 100:.2f},退回"
            returns.import_returns(self.db, ACCOUNTANT, run.period, line.encode())

    def repay(self, fen: int) -> None:
        left = recovery.balance(self.db, self.debt)
        if left > 0:
            recovery.record_repayment(self.db, ACCOUNTANT, self.debt, RepaymentIn(
                amount=Decimal(min(fen, left)) / 100, reference="收据"))

    def transfer(self, direction: str, fen: int) -> None:
        n = self.db.execute(select(func.count()).select_from(Transfer)).scalar()
        moved = Transfer(ref=f"T{n}", kind="pension_enterprise", role="new", ssn="x", name="x",
                         old_region="110000", new_region="330100", applied_at="new",
                         applied_on=clock.today(), step="funds", due_on=clock.today())
        self.db.add(moved)
        self.db.flush()
        self.db.add(FundMovement(transfer_id=moved.id, insurance="pension_enterprise",
                                 direction=direction, account_amount=0, pooled_amount=fen,
                                 amount=fen, peer_region="110000", recorded_on=clock.today()))
        self.db.commit()
        transfers.book_all_movements(self.db, ACCOUNTANT)

    def reverse(self, index: int) -> None:
        open_ = self.db.execute(select(JournalEntry).where(
            JournalEntry.kind != "reversal",
            JournalEntry.id.not_in(select(JournalEntry.reverses_id)
                                   .where(JournalEntry.reverses_id.is_not(None))))
            .order_by(JournalEntry.id)).scalars().all()
        if open_:
            entry = open_[index % len(open_)]
            # every entry's mirror is booked, a transfer out's too (its own rule, issue 10 gaps)
            ledger.book(self.db, REVIEWER, fund=entry.fund, source=f"reversal:{entry.id}",
                        memo="冲销", kind="reversal", reverses_id=entry.id,
                        lines=[Line(x.account, debit=x.credit, credit=x.debit) for x in entry.lines])


def _standing(db) -> dict[int, int]:
    """Account → debit minus credit over the entries neither reversed nor reversing."""
    undone = select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))
    rows = db.execute(select(JournalLine.account, func.sum(JournalLine.debit - JournalLine.credit))
                      .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                      .where(JournalEntry.kind != "reversal", JournalEntry.id.not_in(undone))
                      .group_by(JournalLine.account))
    return {int(a): int(v) for a, v in rows}


def _business(db) -> dict[int, int]:
    """The same accounts from the business rows, for the entries still standing."""
    undone = {int(s) for s in db.execute(select(JournalEntry.reverses_id)
                                         .where(JournalEntry.reverses_id.is_not(None))).scalars()}
    kept = {e.source for e in db.execute(select(JournalEntry)).scalars() if e.id not in undone}

    def total(query, prefix_of) -> int:
        return sum(int(v) for key, v in db.execute(query) if prefix_of(key) in kept)

    def by_row(amount, kind: str) -> int:
        """A file's rows by their file's entry, a 冲正 (negative amounts) by its own."""
        rows = db.execute(select(Contribution.id, Contribution.batch_id, Contribution.insurance,
                                 Contribution.kind, Contribution.reverses_id, amount))
        originals = dict(db.execute(select(Contribution.id, Contribution.batch_id)).all())
        booked_by = {"posted": lambda r, b, i, _: f"{kind}:{b}:{i}",
                     "reversal": lambda r, b, i, rev: originals.get(rev) is not None
                     and f"contribution:reversal:{r}"}
        return sum(int(fen) for row_id, batch_id, insurance, row_kind, reverses, fen in rows
                   if booked_by[row_kind](row_id, batch_id, insurance, reverses) in kept)

    contributions = by_row(Contribution.employer_amount + Contribution.personal_amount,
                           "contribution")
    subsidies = by_row(Contribution.subsidy_amount, "subsidy")
    gross = total(select(Payment.run_id, Payment.gross).where(Payment.run_id.is_not(None)),
                  lambda r: f"payroll:{r}:pension_enterprise")
    gross += total(select(Refund.run_id, Refund.amount).where(Refund.run_id.is_not(None)),
                   lambda r: f"payroll:{r}:pension_enterprise")
    gross += total(select(PaymentReturn.reissue_run_id, PaymentReturn.amount)
                   .where(PaymentReturn.reissue_run_id.is_not(None)),
                   lambda r: f"payroll:{r}:pension_enterprise")
    deducted = total(select(Payment.run_id, Payment.deduction).where(Payment.run_id.is_not(None)),
                     lambda r: f"payroll:{r}:pension_enterprise")
    returned = sum(int(x.amount) for x in db.execute(select(PaymentReturn)).scalars()
                   if f"return:{x.run_id}:{x.reference}" in kept)
    repaid = total(select(DebtEntry.id, -DebtEntry.amount).where(DebtEntry.kind == "repayment"),
                   lambda i: f"repayment:{i}")
    moved = {d: sum(int(m.amount) for m in db.execute(select(FundMovement)).scalars()
                    if m.direction == d and f"transfer:{m.id}" in kept) for d in ("in", "out")}
    return {ledger_rules.CONTRIBUTION_INCOME: -contributions,
            ledger_rules.FISCAL_SUBSIDY_INCOME: -subsidies,
            ledger_rules.BENEFIT_EXPENSE: gross - returned,
            ledger_rules.OTHER_INCOME: -(deducted + repaid),
            ledger_rules.TRANSFER_INCOME: -moved["in"],
            ledger_rules.TRANSFER_EXPENSE: moved["out"]}


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_any_sequence_keeps_the_books_balanced_and_equal_to_the_business(sessions, engine, ops):
    _reset(engine)
    with clock.travel(DAY):
        world = World(sessions)
        try:
            for name, *args in ops:
                getattr(world, "return_" if name == "return" else name)(*args)
            db = world.db
            for fund in ledger_rules.FUNDS:
                assert ledger.trial_balance(db, ACCOUNTANT, fund, 299912)["balanced"]
            standing = _standing(db)
            for account, expected in _business(db).items():
                assert standing.get(account, 0) == expected, (account, ops)
            assert db.execute(select(func.count()).select_from(Debt)).scalar() == 1
        finally:
            world.db.close()
    assert dt.date.today()  # the travel ended with the example
