"""Issue 5 review fixes: a dead debtor is never defaulted, defaulted debts are still deducted,
the payroll's months go forward, the payroll draws the individual account down, the payroll
and a stop do not race, and the law cited and the survivor thresholds come from policy."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.payroll import batch, rules
from jingban.benefits.pension import service
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt
from jingban.benefits.recovery.schemas import AgreementIn
from jingban.benefits.stops import service as stops
from jingban.benefits.stops.schemas import StopReportIn
from jingban.benefits.survivor import rules as survivor_rules
from jingban.core import clock, policy
from jingban.notices.models import Notification
from jingban.oversight.models import CreditRecord
from jingban.records import service as records
from jingban.records.models import AccountEntry
from jingban.registration.models import Person
from tests.benefits.stop_helpers import (
    ACCOUNTANT,
    CLERK,
    TODAY,
    add_award,
    payroll,
    recipient,
    through_review,
)
from tests.benefits.test_recovery import MONTHLY, _death_reported_late


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


# --- 1. a dead person is never defaulted ----------------------------------------------------------

def test_a_deceased_debtor_is_reminded_through_the_relatives_never_defaulted(sessions, monkeypatch):
    """The unpaid order of a man who died: past the due date and the grace period, the sweep
    reminds whoever reported the death once and leaves the debt open — no default, no credit
    record against the deceased, no notice to him."""
    ssn, _, debt_id = _death_reported_late(sessions)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 2, 3))  # beyond due + grace
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [debt_id],
                                                  "defaulted": []}
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [], "defaulted": []}
        assert db.get(Debt, debt_id).status == "open"
        assert db.query(CreditRecord).count() == 0
        reminder = db.query(Notification).filter(
            Notification.kind == recovery.reminder_kind(db.get(Debt, debt_id))).one()
        assert reminder.recipient == f"heirs:{ssn}" and "王小明" in reminder.message
        assert "失信" not in reminder.message and "遗产" in reminder.message


def test_a_deceased_debtors_broken_agreement_is_not_a_default(sessions, monkeypatch):
    ssn, _, debt_id = _death_reported_late(sessions)
    with sessions() as db:
        recovery.agree_instalments(db, CLERK, debt_id, AgreementIn(
            instalments=3, first_due=dt.date(2026, 11, 30), signed_by="王小明"))
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 29))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [debt_id],
                                                  "defaulted": []}
    with sessions() as db:
        assert db.get(Debt, debt_id).status == "agreement"
        assert db.query(CreditRecord).count() == 0
        assert db.query(Notification).filter(Notification.recipient == ssn,
                                             Notification.kind.like("recovery%")).count() == 0


# --- 2. a defaulted debt is still deducted ---------------------------------------------------------

def test_the_payroll_keeps_deducting_after_a_default(sessions, monkeypatch):
    """A living debtor (imprisoned, award suspended) defaults; a later award of his is then
    deducted from as before (R§46): min(9,770.34, 50 % × 1,000.00) = 500.00."""
    ssn, _, debt_id = _death_reported_late(sessions, "imprisonment")
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 2, 3))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT)["defaulted"] == [debt_id]
    # The later award must be one the same fund pays (a debt is recovered from its own fund's
    # benefits only): the enterprise pension fund also pays the survivor kind.
    other = add_award(sessions, ssn, kind="survivor", start=202611, monthly=100000)
    payroll(sessions, 202611)
    with sessions() as db:
        payment = db.query(Payment).filter(Payment.award_id == other).one()
        assert (payment.gross, payment.deduction, payment.net) == (100000, 50000, 50000)
        assert recovery.balance(db, debt_id) == 977034 - 50000
        assert db.get(Debt, debt_id).status == "defaulted"
    assert batch.recovery_rules.DEBTS_RECOVERING == recovery.OPEN


# --- 5. the payroll's months ------------------------------------------------------------------------

def test_payroll_months_go_forward_from_the_first_award(sessions, client, login):
    accountant = login("accountant")
    reply = client.post("/api/v1/benefits/payroll/190001", headers=accountant)
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "payroll.period_order"
    recipient(sessions, monthly=MONTHLY, start=202607)
    for month in (190001, 202606):  # before any award is due
        reply = client.post(f"/api/v1/benefits/payroll/{month}", headers=accountant)
        assert reply.json()["error"]["code"] == "payroll.period_order", month
        assert "没有应发的待遇" in reply.json()["error"]["message"]
    payroll(sessions, 202608)  # a first run: earlier months were paid by the old system
    reply = client.post("/api/v1/benefits/payroll/202610", headers=accountant)  # September skipped
    err = reply.json()["error"]
    assert reply.status_code == 422 and "2026年9月有应发待遇但尚未发放" in err["message"]
    with sessions() as db:
        assert db.query(PayrollRun).count() == 1
    payroll(sessions, 202609, 202610)
    reply = client.post("/api/v1/benefits/payroll/202607", headers=accountant)  # behind the runs
    assert "已发放至2026年10月" in reply.json()["error"]["message"]
    assert client.post("/api/v1/benefits/payroll/202609", headers=accountant).status_code == 200


def test_payroll_period_rule_cases():
    done = (202610, "completed")
    assert rules.payroll_period_problem(202611, 202611, 202601, done) is None
    assert rules.payroll_period_problem(202612, 202611, 202601, done) is None
    assert "下月以后" in rules.payroll_period_problem(202701, 202611, 202601, done)
    assert "尚未完成" in rules.payroll_period_problem(202611, 202611, 202601, (202610, "running"))
    assert "不能跳过" in rules.payroll_period_problem(202612, 202611, 202601, done, 202611)
    assert rules.payroll_period_problem(202612, 202611, 202601, done, None) is None
    assert rules.payroll_period_problem(202611, 202611, 202601, None) is None  # a first run
    assert "没有应发" in rules.payroll_period_problem(202611, 202611, None, None)


# --- 3. the payroll draws the individual account down ----------------------------------------------

def _with_account(sessions, *, account_part: int, balance: int, start: int = 202601) -> tuple[str, int]:
    ssn, award_id = recipient(sessions, monthly=300000, start=start)
    with sessions() as db:
        award = db.get(Award, award_id)
        award.basic_amount, award.account_amount = 300000 - account_part, account_part
        db.add(AccountEntry(person_id=award.person_id, scheme="pension_enterprise", year=2025,
                            kind="contribution", amount=balance, posted_on=dt.date(2025, 12, 31)))
        db.commit()
    return ssn, award_id


def test_each_payment_draws_the_account_pension_from_the_account_down_to_zero(sessions):
    """Account part 1,000.00 a month, account 2,500.00: January and February take 1,000.00
    each, March the last 500.00; from April the account pension is paid from the pooled fund
    (国发〔2005〕38号) — the payment stays whole, the account stays at zero."""
    ssn, award_id = _with_account(sessions, account_part=100000, balance=250000)
    payroll(sessions, 202601, 202602, 202603, 202604)
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        payouts = db.execute(select(AccountEntry.period, AccountEntry.amount, AccountEntry.year)
                             .where(AccountEntry.kind == records.PAYOUT)
                             .order_by(AccountEntry.period)).all()
        assert [tuple(p) for p in payouts] == [(202601, -100000, 2026), (202602, -100000, 2026),
                                               (202603, -50000, 2026)]
        assert records.account_balance(db, person.id, "pension_enterprise") == 0
        grosses = db.execute(select(Payment.gross).where(Payment.award_id == award_id)).scalars()
        assert list(grosses) == [300000] * 4


def test_back_pay_draws_its_months_too_oldest_first(sessions, monkeypatch):
    """Account 4,500.00, account part 1,000.00. January and February drawn (2,500.00 left); a
    wrong imprisonment match suspends March and April; resumed in May, the May run pays the
    back pay of March and April with May's payment: 1,000.00, 1,000.00, then the last 500.00."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 5, 10))
    ssn, _ = _with_account(sessions, account_part=100000, balance=450000)
    payroll(sessions, 202601, 202602)
    through_review(sessions, "BEN-STOP-REPORT", {"ssn": ssn, "reason": "imprisonment",
                                                 "event_date": "2026-02-10", "reporter": "relative"})
    payroll(sessions, 202603, 202604)
    through_review(sessions, "BEN-RESUME", {"ssn": ssn, "reason": "wrong_match",
                                            "event_date": "2026-05-06", "note": "错误匹配"})
    payroll(sessions, 202605)
    with sessions() as db:
        payouts = db.execute(select(AccountEntry.period, AccountEntry.amount)
                             .where(AccountEntry.kind == records.PAYOUT)
                             .order_by(AccountEntry.period)).all()
        assert [tuple(p) for p in payouts] == [(202601, -100000), (202602, -100000),
                                               (202603, -100000), (202604, -100000),
                                               (202605, -50000)]
        kinds = db.execute(select(Payment.period, Payment.kind).where(Payment.period >= 202603)
                           .order_by(Payment.period)).all()
        assert [tuple(k) for k in kinds] == [(202603, "back_pay"), (202604, "back_pay"),
                                             (202605, "regular")]


def test_a_rerun_draws_nothing_twice(sessions):
    ssn, _ = _with_account(sessions, account_part=100000, balance=1_000_000)
    with sessions() as db:
        run = batch.start_run(db, ACCOUNTANT, 202601)
        person_id = db.query(Person.id).filter(Person.ssn == ssn).scalar()
        batch.pay_range(db, ACCOUNTANT, run.id, person_id, person_id + 1)
        batch.pay_range(db, ACCOUNTANT, run.id, person_id, person_id + 1)  # a resumed range
        assert batch.draw_down_for_run(db, run.id, person_id, person_id + 1) == 0
        db.commit()
        batch.finish_run(db, ACCOUNTANT, run.id)
    with sessions() as db:
        assert records.account_balance(db, person_id, "pension_enterprise") == 900000
        rows = db.query(AccountEntry).filter(AccountEntry.kind == records.PAYOUT).all()
        assert [(r.period, r.amount) for r in rows] == [(202601, -100000)]
        db.add(AccountEntry(person_id=person_id, scheme="pension_enterprise", year=2026,
                            kind=records.PAYOUT, amount=-1, period=202601, posted_on=TODAY))
        with pytest.raises(IntegrityError):  # the unique index of migration 0013
            db.flush()
        db.rollback()


def test_a_redetermination_uses_the_account_at_retirement_not_after_payouts(sessions):
    """The determination's account balance leaves the monthly payouts out."""
    ssn, _ = _with_account(sessions, account_part=100000, balance=1_390_000)
    payroll(sessions, 202601, 202602)
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        assert records.account_balance(db, person.id, "pension_enterprise") == 1_190_000
        found = service.Determination(person, [], [], [], {})
        service._compute(db, found, "330106", dt.date(2026, 1, 1), 720, [Decimal(1)] * 180, 0,
                         180, "male")
        assert found.inputs["account_balance"] == 1_390_000 and found.account == 10_000  # ÷ 139


# --- 6. the payroll and a stop do not race (PostgreSQL) ---------------------------------------------

def test_a_stop_committed_while_a_chunk_waits_is_not_paid(sessions, engine, backend):
    """A stop holds the award's lock; the month's payroll chunk must wait for it (FOR SHARE)
    and then, the award stopped, not pay the month after death. Without the lock the chunk
    would pay November from its snapshot, and the stop, not seeing that payment, would order
    nothing back."""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions")
    ssn, award_id = recipient(sessions, monthly=MONTHLY, start=202601)
    payroll(sessions, *range(202601, 202611))
    with sessions() as db:
        run_id = batch.start_run(db, ACCOUNTANT, 202611).id
        person_id = db.query(Person.id).filter(Person.ssn == ssn).scalar()
    stopping = sessions()
    stopping.execute(select(Award).where(Award.id == award_id).with_for_update())  # stop begins
    errors: list[BaseException] = []

    def chunk() -> None:
        try:
            with sessions() as db:
                batch.pay_range(db, ACCOUNTANT, run_id, person_id, person_id + 1)
        except BaseException as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=chunk)
    worker.start()
    try:
        _until_waiting_on_a_lock(engine)
        stops.record_stop(stopping, CLERK, ssn, StopReportIn(
            reason="death", event_date=dt.date(2026, 10, 15), reporter="relative",
            reporter_name="王小明（儿子）", reporter_phone="13700000003"))
    finally:
        stopping.close()
        worker.join(timeout=60)
    assert not errors, errors
    with sessions() as db:
        months = db.execute(select(Payment.period).where(Payment.award_id == award_id)).scalars()
        assert max(months) == 202610
        assert db.query(Debt).count() == 0  # nothing was overpaid


def _until_waiting_on_a_lock(engine) -> None:
    """Block until another session of this database waits on a row lock (bounded)."""
    deadline = threading.Event()
    for _ in range(600):
        with engine.connect() as conn:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
        if waiting:
            return
        deadline.wait(0.05)
    raise AssertionError("the payroll chunk never waited for the stop's lock")


# --- 9. the law cited; the survivor thresholds in policy --------------------------------------------

def test_the_award_cites_enacted_law():
    basis = service.PENSION_BASIS
    assert "征求意见稿" not in basis
    assert "《社会保险经办条例》第十八条" in basis and "国发〔2005〕38号" in basis
    assert "渐进式延迟法定退休年龄" in basis and "2024" in basis


def test_survivor_month_thresholds_come_from_the_policy(sessions):
    table = policy.value("survivor.months", "330106", dt.date(2026, 1, 1))
    assert (table["short_years"], table["mid_years"], table["full_years"]) == (5, 10, 15)
    assert survivor_rules.survivor_months(59, None, table) == 3
    assert survivor_rules.survivor_months(20 * 12, None, table) == 14
    moved = {**table, "short_years": 4, "full_years": 12}
    assert survivor_rules.survivor_months(59, None, moved) == 6  # 4 years 11 months: the middle band
    assert survivor_rules.survivor_months(20 * 12, None, moved) == 17
    assert survivor_rules.survivor_benefits(100, 2, 3, 50, 150, moved) == (200, 300)  # not capped at 4+
    assert survivor_rules.survivor_benefits(100, 2, 3, 40, 150, moved) == (150, 0)
