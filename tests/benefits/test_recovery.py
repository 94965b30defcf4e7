"""Overpayment recovery (R§46): the issue's hand-computed case — a death reported three months
late, recovered by an instalment agreement plus a payroll deduction — and broken agreements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingban.benefits.common.models import Award, Payment
from jingban.benefits.recovery import rules
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry, Instalment
from jingban.benefits.recovery.schemas import AccountOffsetIn, AgreementIn, RepaymentIn
from jingban.benefits.stops import service as stops
from jingban.benefits.stops.schemas import StopReportIn
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.errors import Conflict, InvalidInput
from jingban.notices.models import Notification, Outbox
from jingban.oversight.models import CreditRecord
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

MONTHLY = 325678  # 3,256.78 yuan a month


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _death_reported_late(sessions, reason: str = "death") -> tuple[str, int, int]:
    """Retiree paid Jan–Oct 2026, died 2026-07-15, the death reported by his son on
    2026-11-24 and approved: (SSN, award id, debt id). With ``reason="imprisonment"`` the same
    months are overpaid to a living debtor (imprisoned on 2026-07-15, suspended from August)."""
    ssn, award_id = recipient(sessions, monthly=MONTHLY, start=202601)
    payroll(sessions, *range(202601, 202611))
    case = through_review(sessions, "BEN-STOP-REPORT", {
        "ssn": ssn, "reason": reason, "event_date": "2026-07-15", "reporter": "relative",
        "reporter_name": "王小明（儿子）", "reporter_phone": "13700000003",
        "note": "居民死亡医学证明（推断）书 No.330106-2026-0715"})
    assert case["status"] == "completed" and case["levels"] == 1
    with sessions() as db:
        debt = db.query(Debt).filter(Debt.award_id == award_id).one()
        return ssn, award_id, debt.id


def test_death_reported_three_months_late_recovered_by_instalments_and_deduction(sessions):
    ssn, award_id, debt_id = _death_reported_late(sessions)
    with sessions() as db:
        award = db.get(Award, award_id)
        # Paid up to the month of death (July), stopped from August.
        assert (award.status, award.last_period) == ("stopped", 202607)
        report = stops.reports(db, CLERK, ssn)[0]
        # 20 working days from 2026-07-15 end on 2026-08-12; reported on 2026-11-24: late.
        assert report.report_due_on == dt.date(2026, 8, 12) and report.late
        assert report.reporter_name == "王小明（儿子）" and report.source == "relative"
        debt = db.get(Debt, debt_id)
        # August, September, October: 3 × 3,256.78 = 9,770.34 yuan.
        assert (debt.first_period, debt.last_period, debt.principal) == (202608, 202610, 977034)
        assert debt.status == "open" and debt.due_on > TODAY
        assert db.get(Person, debt.person_id).status == "deceased"
        # The order goes to the son who reported the death (by SMS), never to the deceased.
        assert db.query(Notification).filter(Notification.recipient == ssn,
                                             Notification.kind.in_(["recovery", "stop"])).count() == 0
        stop = db.query(Notification).filter(Notification.recipient == f"heirs:{ssn}",
                                             Notification.kind == "stop").one()
        assert "其企业职工基本养老金自2026年8月起停发" in stop.message
        notices = db.query(Notification).filter(Notification.recipient == f"heirs:{ssn}",
                                                Notification.kind == "recovery").all()
        assert len(notices) == 1 and "9,770.34" in notices[0].message
        assert notices[0].message.startswith("王小明（儿子）：关于已故参保人退休乙")
        sms = db.query(Outbox).filter(Outbox.notification_id == notices[0].id).one()
        assert sms.address == "13700000003"

    with sessions() as db:  # 4 monthly instalments: 977034 = 244259 + 244259 + 244258 + 244258
        recovery.agree_instalments(db, CLERK, debt_id, AgreementIn(
            instalments=4, first_due=dt.date(2026, 12, 10), signed_by="王小明"))
        plan = db.query(Instalment).filter(Instalment.debt_id == debt_id).order_by(Instalment.seq)
        assert [(i.due_on, i.amount) for i in plan] == [
            (dt.date(2026, 12, 10), 244259), (dt.date(2027, 1, 10), 244259),
            (dt.date(2027, 2, 10), 244258), (dt.date(2027, 3, 10), 244258)]
        assert db.get(Debt, debt_id).status == "agreement"

    with sessions() as db:  # the son pays the first instalment at the counter
        recovery.record_repayment(db, ACCOUNTANT, debt_id, RepaymentIn(
            amount=Decimal("2442.59"), reference="收据0001"))
        assert recovery.balance(db, debt_id) == 977034 - 244259

    # The survivor benefit (one-off 8,000.00 yuan) is paid by the December payroll, which
    # deducts min(balance 7,327.75, 50 % × 8,000.00 = 4,000.00) = 4,000.00.
    survivor = add_award(sessions, ssn, kind="survivor", start=202612, monthly=800000, last=202612)
    payroll(sessions, 202612)
    with sessions() as db:
        payment = db.query(Payment).filter(Payment.award_id == survivor).one()
        assert (payment.gross, payment.deduction, payment.net) == (800000, 400000, 400000)
        assert recovery.balance(db, debt_id) == 332775
        lines = recovery.ledger(db, CLERK, ssn)["debts"][0]["instalments"]
        assert [line["paid"] for line in lines] == [244259, 244259, 155741, 0]

    with sessions() as db:  # the rest, 3,327.75 yuan, settles the debt
        recovery.record_repayment(db, ACCOUNTANT, debt_id, RepaymentIn(
            amount=Decimal("3327.75"), reference="收据0002"))
    with sessions() as db:
        ledger = recovery.ledger(db, CLERK, ssn)
        assert ledger["balance"] == 0
        line = ledger["debts"][0]
        assert line["debt"].status == "settled"
        assert [(e.kind, e.amount) for e in line["entries"]] == [
            ("order", 977034), ("repayment", -244259), ("deduction", -400000),
            ("repayment", -332775)]
        assert [i["paid"] for i in line["instalments"]] == [244259, 244259, 244258, 244258]
        # No payment for any month after the death's month.
        months = db.query(Payment.period).filter(Payment.award_id == award_id).all()
        assert max(m for (m,) in months) == 202610


def test_stop_is_ordered_back_once(sessions):
    ssn, award_id, debt_id = _death_reported_late(sessions)
    with sessions() as db, pytest.raises(Conflict) as refused:
        stops.record_stop(db, CLERK, ssn, StopReportIn(reason="death", event_date=dt.date(2026, 7, 15),
                                                       reporter="relative"))
    assert refused.value.code == "stop.no_award"
    with sessions() as db:
        assert db.query(Debt).filter(Debt.person_id == db.get(Debt, debt_id).person_id).count() == 1


def test_repayment_and_agreement_refusals(sessions):
    _, _, debt_id = _death_reported_late(sessions)
    with sessions() as db, pytest.raises(InvalidInput) as too_much:
        recovery.record_repayment(db, ACCOUNTANT, debt_id, RepaymentIn(
            amount=Decimal("9770.35"), reference="收据X"))
    assert too_much.value.code == "recovery.too_much" and "9,770.34" in too_much.value.message
    with sessions() as db, pytest.raises(InvalidInput) as past:
        recovery.agree_instalments(db, CLERK, debt_id, AgreementIn(
            instalments=3, first_due=dt.date(2026, 11, 1), signed_by="王小明"))
    assert past.value.field == "first_due"
    with sessions() as db, pytest.raises(InvalidInput) as many:
        recovery.agree_instalments(db, CLERK, debt_id, AgreementIn(
            instalments=36, first_due=dt.date(2026, 12, 1), signed_by="王小明"))
    assert "2至24期" in many.value.message
    with sessions() as db:
        assert db.query(DebtEntry).filter(DebtEntry.debt_id == debt_id).count() == 1
        assert db.query(Instalment).count() == 0


def test_offset_from_the_individual_account_only_through_a_reviewed_case(sessions):
    """High-risk (SPEC §2): asked for directly it is refused; as BEN-ACCOUNT-OFFSET with a
    reason it runs on approval at the second level, never beyond the account's balance."""
    ssn, _, debt_id = _death_reported_late(sessions)
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        db.add(AccountEntry(person_id=person.id, scheme="pension_enterprise", year=2025,
                            kind="contribution", amount=500000, posted_on=dt.date(2025, 12, 31)))
        db.commit()
    with sessions() as db, pytest.raises(Conflict) as direct:
        recovery.offset_from_account(db, ACCOUNTANT, debt_id, AccountOffsetIn())
    assert direct.value.code == "recovery.offset_needs_case" and "BEN-ACCOUNT-OFFSET" in direct.value.message
    reason = "参保人已死亡，继承人未退回，个人账户尚有余额"
    with sessions() as db, pytest.raises(InvalidInput) as beyond:  # the intake's dry run
        cases.submit(db, CLERK, "BEN-ACCOUNT-OFFSET", {"ssn": ssn, "debt_id": debt_id,
                                                        "amount": "5000.01", "reason": reason})
    assert beyond.value.code == "recovery.account_short"
    with sessions() as db:
        assert db.query(AccountEntry).filter(AccountEntry.kind == "recovery").count() == 0
    case = through_review(sessions, "BEN-ACCOUNT-OFFSET",
                          {"ssn": ssn, "debt_id": debt_id, "reason": reason})
    assert (case["status"], case["levels"]) == ("completed", 2)
    with sessions() as db:  # the whole remaining account, 5,000.00 of 9,770.34
        assert recovery.balance(db, debt_id) == 477034
        rows = db.query(AccountEntry).filter(AccountEntry.kind == "recovery").all()
        assert [r.amount for r in rows] == [-500000]
        entry = db.query(DebtEntry).filter(DebtEntry.kind == "account").one()
        assert entry.amount == -500000
        with pytest.raises(Conflict) as empty:
            cases.submit(db, CLERK, "BEN-ACCOUNT-OFFSET",
                         {"ssn": ssn, "debt_id": debt_id, "reason": reason})
        assert empty.value.code == "recovery.no_balance"


def test_account_offset_case_needs_a_reason(client, login, sessions):
    ssn, _, debt_id = _death_reported_late(sessions)
    clerk = login("clerk")
    url = f"/api/v1/benefits/recovery/debts/{debt_id}/account-offset"
    reply = client.post(url, headers=clerk, json={})
    assert reply.status_code == 422 and reply.json()["error"]["field"] == "reason"
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        db.add(AccountEntry(person_id=person.id, scheme="pension_enterprise", year=2025,
                            kind="contribution", amount=100000, posted_on=dt.date(2025, 12, 31)))
        db.commit()
    reply = client.post(url, headers=clerk, json={"reason": "继承人未退回"})
    assert reply.status_code == 201, reply.text
    assert (reply.json()["status"], reply.json()["levels_required"]) == ("in_review", 2)
    with sessions() as db:  # nothing taken before the reviews
        assert recovery.balance(db, debt_id) == 977034


def test_broken_agreement_defaults_with_a_credit_record(sessions, monkeypatch):
    ssn, _, debt_id = _death_reported_late(sessions, "imprisonment")
    with sessions() as db:
        recovery.agree_instalments(db, CLERK, debt_id, AgreementIn(
            instalments=3, first_due=dt.date(2026, 11, 30), signed_by="王小明"))
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 20))
    with sessions() as db:  # 2026-11-30 + 20 working days = 2026-12-28: still within grace
        assert recovery.sweep(db, ACCOUNTANT)["defaulted"] == []
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 29))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT)["defaulted"] == [debt_id]
    with sessions() as db:
        assert db.get(Debt, debt_id).status == "defaulted"
        credit = db.query(CreditRecord).one()
        assert (credit.subject_kind, credit.subject_key) == ("person", ssn)
        assert credit.act == "overpayment_agreement_breach" and "王小明" in credit.subject_name
        assert "第四十五条" in credit.basis and credit.source_ref == f"benefit_debt:{debt_id}"
        warned = db.query(Notification).filter(Notification.recipient == ssn,
                                               Notification.message.contains("已视为未履约")).count()
        assert warned == 1
    with sessions() as db:  # a rerun finds nothing new
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [], "defaulted": []}
        assert db.query(CreditRecord).count() == 1


def test_sweep_keeps_an_agreement_that_is_being_paid(sessions, monkeypatch):
    _, _, debt_id = _death_reported_late(sessions)
    with sessions() as db:
        recovery.agree_instalments(db, CLERK, debt_id, AgreementIn(
            instalments=2, first_due=dt.date(2026, 11, 30), signed_by="王小明"))
        recovery.record_repayment(db, ACCOUNTANT, debt_id, RepaymentIn(
            amount=Decimal("4885.17"), reference="收据0003"))
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 29))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT)["defaulted"] == []
        assert db.get(Debt, debt_id).status == "agreement"


def test_schedule_rules_add_up_exactly():
    plan = rules.instalment_schedule(1000, 3, dt.date(2027, 1, 31))
    assert [(d, a) for _, d, a in plan] == [(dt.date(2027, 1, 31), 334), (dt.date(2027, 2, 28), 333),
                                            (dt.date(2027, 3, 31), 333)]
    assert rules.allocate([334, 333, 333], 500) == [334, 166, 0]
    assert rules.agreement_problem(0, 3, 24) and rules.agreement_problem(2, 3, 24)
    assert rules.agreement_problem(1000, 3, 24) is None
    assert rules.in_default(334, 1000, 1000) and not rules.in_default(334, 1000, 666)


def test_recovery_api_ledger_and_permissions(client, login, sessions):
    ssn, _, debt_id = _death_reported_late(sessions)
    clerk, cashier = login("clerk"), login("cashier")
    reply = client.post(f"/api/v1/benefits/recovery/debts/{debt_id}/agreement", headers=clerk,
                        json={"instalments": 2, "first_due": "2026-12-15", "signed_by": "王小明"})
    assert reply.status_code == 201, reply.text
    reply = client.post(f"/api/v1/benefits/recovery/debts/{debt_id}/repayments", headers=cashier,
                        json={"amount": "100.00", "reference": "R1"})
    assert reply.status_code == 403 and reply.json()["error"]["code"] == "auth.forbidden"
    reply = client.post(f"/api/v1/benefits/recovery/debts/{debt_id}/repayments", headers=clerk,
                        json={"amount": "-1", "reference": "R1"})
    assert reply.status_code == 422 and reply.json()["error"]["field"] == "amount"
    ledger = client.get(f"/api/v1/benefits/recovery/{ssn}", headers=clerk).json()
    assert ledger["balance"] == 977034 and ledger["debts"][0]["signed_by"] == "王小明"
    assert [i["amount"] for i in ledger["debts"][0]["instalments"]] == [488517, 488517]
    assert client.get("/api/v1/benefits/recovery/000", headers=clerk).status_code == 404
    record = client.get(f"/api/v1/benefits/persons/{ssn}/pension", headers=clerk).json()
    assert [(e["kind"], e["reason"], e["event_date"], e["effective_period"], e["source"])
            for e in record["events"]] == [("stop", "death", "2026-07-15", 202608, "relative")]


def test_an_unpaid_order_is_reminded_then_defaulted(sessions, monkeypatch):
    """No agreement: the order (2026-11-24, due 30 working days later: 2027-01-05, the 2027
    calendar being provisional, weekdays only) is reminded once the day after the due date, and
    defaulted with a credit record (拒不退回) once the 20 working days' grace (to 2027-02-02)
    have passed. (A living debtor: imprisoned, his award suspended.)"""
    ssn, _, debt_id = _death_reported_late(sessions, "imprisonment")
    with sessions() as db:
        debt = db.get(Debt, debt_id)
        assert debt.due_on == dt.date(2027, 1, 5)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 5))
    with sessions() as db:  # on the due date itself: nothing
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [], "defaulted": []}
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 6))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT)["reminded"] == [debt_id]
    with sessions() as db:  # a rerun the same day, or later within the grace: no second notice
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [], "defaulted": []}
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 2, 2))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [], "defaulted": []}
        reminders = db.query(Notification).filter(
            Notification.kind == recovery.reminder_kind(db.get(Debt, debt_id))).all()
        assert len(reminders) == 1 and "9,770.34" in reminders[0].message
        assert "2027-02-02" in reminders[0].message
        assert db.get(Debt, debt_id).status == "open"
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 2, 3))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT)["defaulted"] == [debt_id]
    with sessions() as db:
        assert db.get(Debt, debt_id).status == "defaulted"
        credit = db.query(CreditRecord).one()
        assert (credit.subject_key, credit.act) == (ssn, "overpayment_refused")
        assert "逾期经催告仍未退回" in credit.description and "9,770.34" in credit.description
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [], "defaulted": []}
        assert db.query(CreditRecord).count() == 1


def test_an_order_being_deducted_from_an_award_is_not_escalated(sessions, monkeypatch):
    """While the person draws an award, the payroll's deductions are the recovery under way."""
    ssn, _, debt_id = _death_reported_late(sessions)
    add_award(sessions, ssn, kind="survivor", start=202612, monthly=100000)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 3, 1))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT) == {"settled": [], "reminded": [], "defaulted": []}
        assert db.get(Debt, debt_id).status == "open"
