"""Payroll (payperf): a pending payment is sent only by the run of its own month, or a later one
if that run was missed; a recovery deduction is taken only from a payment of the debt's own
fund (分险种核算, R§46).

Today is 2026-11-24 (stop_helpers.TODAY), so a one-off decided today is due with 202612
(``injury.service._one_off``: 核定次月随待遇发放). The deduction cap is 50 % of the month's
gross (policy benefits.recovery.deduction_cap_ratio).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.payroll import batch
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.core import clock
from jingban.registration.models import Person
from tests.benefits.injury.helpers import BANK, awards_of, injured, recognised, take
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.stop_helpers import ACCOUNTANT, TODAY, add_award, payroll, recipient


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _grade_10_grant(sessions) -> tuple[int, int]:
    """A grade-10 disability decided today: the one-off grant 7 × 2310000 = 16170000 fen (the
    300 % cap of 本人工资, worked in tests/benefits/injury/test_injury.py), due with 202612;
    (award id, its payment's id)."""
    ssn, unit = injured(sessions, base=3000000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕801号", grade=10)
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": "杭人社工认〔2026〕801号",
                                                  "bank_account": BANK})
    grant = awards_of(sessions, ssn)["injury_grant"]
    assert (grant.monthly_amount, grant.start_period, grant.last_period) == (16170000, 202612, 202612)
    with sessions() as db:
        payment = db.execute(select(Payment).where(Payment.award_id == grant.id)).scalar_one()
        assert (payment.period, payment.run_id) == (202612, None)
        return grant.id, payment.id


def _run(db, period: int) -> PayrollRun:
    return db.execute(select(PayrollRun).where(PayrollRun.period == period)).scalar_one()


def _bank_references(sessions, period: int) -> list[str]:
    with sessions() as db:
        confirm_payroll(db, period)
        db.commit()
        lines = b"".join(batch.bank_file(db, ACCOUNTANT, period)).decode().splitlines()
    return [line.split(",")[-1] for line in lines[1:]]


def test_a_one_off_due_next_month_waits_for_next_months_run(sessions):
    # A pensioner paid 3,000.00 a month from 202611 makes the 202611 run due; the grant decided
    # on 2026-11-24 is due with 202612. The 202611 run (after the decision) pays the pension
    # only: 1 payment, gross 300000, nothing for the injury fund; the grant stays 待发放.
    _, pension = recipient(sessions, monthly=300000, start=202611)
    _, payment_id = _grade_10_grant(sessions)
    payroll(sessions, 202611)
    with sessions() as db:
        run = _run(db, 202611)
        assert (run.payments, run.gross) == (1, 300000)
        assert db.get(Payment, payment_id).run_id is None
        assert set(batch.fund_totals(db, run)) == {"pension_enterprise"}
        assert batch.pending(db, ACCOUNTANT)["totals"]["regular"]["net"] == 16170000
    assert len(_bank_references(sessions, 202611)) == 1
    # The 202612 run sends it: 300000 + 16170000 = 16470000 fen, the grant's line in the file.
    payroll(sessions, 202612)
    with sessions() as db:
        run = _run(db, 202612)
        assert (run.payments, run.gross) == (2, 16470000)
        assert db.get(Payment, payment_id).run_id == run.id
        assert batch.fund_totals(db, run)["injury"] == (1, 16170000, 0)
        assert batch.pending(db, ACCOUNTANT)["count"] == 0
    assert f"JB202612-{payment_id}" in _bank_references(sessions, 202612)
    payroll(sessions, 202612)  # a rerun of the completed month pays nothing again
    with sessions() as db:
        months = db.execute(select(Payment.period).where(Payment.award_id == pension)
                            .order_by(Payment.period)).scalars().all()
        assert months == [202611, 202612]
        assert len(db.execute(select(Payment)).scalars().all()) == 3


def test_a_one_off_whose_month_has_run_already_is_paid_by_the_next_run(sessions, monkeypatch):
    # 202611 and (ahead) 202612 run before the decision; the grant is due with 202612, whose run
    # has passed, so the 202701 run (on 2026-12-24) sends it: 300000 + 16170000 = 16470000.
    recipient(sessions, monthly=300000, start=202611)
    payroll(sessions, 202611, 202612)
    _, payment_id = _grade_10_grant(sessions)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 24))
    payroll(sessions, 202701)
    with sessions() as db:
        run = _run(db, 202701)
        assert (run.payments, run.gross) == (2, 16470000)
        assert db.get(Payment, payment_id).run_id == run.id
        assert [(r.period, r.payments) for r in db.execute(
            select(PayrollRun).order_by(PayrollRun.period)).scalars()] == [
            (202611, 1), (202612, 1), (202701, 2)]


def _debt(db, person_id: int, award_id: int | None, owed: int) -> int:
    debt = Debt(person_id=person_id, award_id=award_id, reason="多领待遇", principal=owed,
                status="open", ordered_on=dt.date(2026, 1, 5), due_on=dt.date(2026, 2, 5),
                source_ref="test")
    db.add(debt)
    db.flush()
    db.add(DebtEntry(debt_id=debt.id, kind="order", amount=owed, entry_on=dt.date(2026, 1, 5),
                     reference="test", recorded_by="test"))
    return debt.id


def test_a_debt_is_deducted_only_from_its_own_funds_payment(sessions):
    # One person paid a pension of 3,000.00 and a disability allowance of 2,000.00 a month.
    # Debts, oldest first: B 800.00 (the allowance's), A 1,000.00 (the pension's), C 500.00
    # (no award: an enterprise-pension overpayment of older records). One debt per payment
    # and month, its oldest of the same fund, capped at 50 % of its gross. (Matched by person
    # only, the pension would take the oldest, B, and the allowance A.)
    # 202611: pension → A: min(100000, 150000) = 100000, A settled; allowance → B:
    #         min(80000, 100000) = 80000, B settled; C waits (the pension took A).
    # 202612: pension → C: min(50000, 150000) = 50000, C settled; allowance: nothing (B paid
    #         off, A and C are the pension fund's).
    ssn, pension = recipient(sessions, monthly=300000, start=202611)
    allowance = add_award(sessions, ssn, kind="injury_allowance", start=202611, monthly=200000)
    with sessions() as db:
        person_id = db.execute(select(Person.id).where(Person.ssn == ssn)).scalar_one()
        b = _debt(db, person_id, allowance, 80000)
        a = _debt(db, person_id, pension, 100000)
        c = _debt(db, person_id, None, 50000)
        db.commit()
    payroll(sessions, 202611)
    with sessions() as db:
        paid = dict(db.execute(select(Payment.award_id, Payment.deduction)
                               .where(Payment.period == 202611)).all())
        assert paid == {pension: 100000, allowance: 80000}
        taken = dict(db.execute(select(DebtEntry.debt_id, Payment.award_id)
                                .join(Payment, Payment.id == DebtEntry.payment_id)).all())
        assert taken == {a: pension, b: allowance}
        assert [recovery.balance(db, d) for d in (a, b, c)] == [0, 0, 50000]
        totals = batch.fund_totals(db, _run(db, 202611))
        assert (totals["pension_enterprise"], totals["injury"]) == ((1, 300000, 100000),
                                                                    (1, 200000, 80000))
    payroll(sessions, 202612)
    with sessions() as db:
        paid = dict(db.execute(select(Payment.award_id, Payment.net)
                               .where(Payment.period == 202612)).all())
        assert paid == {pension: 250000, allowance: 200000}
        assert [db.get(Debt, d).status for d in (a, b, c)] == ["settled"] * 3


def test_a_debt_of_another_fund_only_is_not_deducted(sessions):
    # An unemployment overpayment of 500.00 and only a pension paid: nothing is withheld.
    ssn, pension = recipient(sessions, monthly=300000, start=202611)
    stopped = add_award(sessions, ssn, kind="unemployment", start=202601, monthly=224100,
                        last=202603)
    with sessions() as db:
        award = db.get(Award, stopped)
        award.status = "stopped"
        debt = _debt(db, award.person_id, stopped, 50000)
        db.commit()
    payroll(sessions, 202611)
    with sessions() as db:
        payment = db.execute(select(Payment).where(Payment.award_id == pension)).scalar_one()
        assert (payment.gross, payment.deduction, payment.net) == (300000, 0, 300000)
        assert recovery.balance(db, debt) == 50000
