"""Stopping and suspending (R§25, R§26): deaths on the population feed, imprisonment on the
judicial feed, resumption through a three-level case with back pay exactly once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from jingban.benefits.common.models import Award, AwardEvent, Payment, StopReport
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry, Refund
from jingban.benefits.recovery.schemas import RepaymentIn
from jingban.benefits.stops import service as stops
from jingban.benefits.stops.models import SharedFact
from jingban.benefits.stops.schemas import StopReportIn
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput
from jingban.sharing import service as sharing
from jingban.sharing.models import FeedRecord
from tests.benefits.stop_helpers import (
    ACCOUNTANT,
    CLERK,
    TODAY,
    payroll,
    recipient,
    through_review,
)

MONTHLY = 412350  # 4,123.50 yuan
UPLOADER = Actor("data1", frozenset({"data_admin"}), False, "api")
CASE_ACT = Actor("rev3", frozenset({"reviewer_3"}), True, "case")  # an approved case acting


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def feed(sessions, kind: str, rows: list[dict]):
    with sessions() as db:
        batch = sharing.receive_batch(db, UPLOADER, kind=kind, filename=f"{kind}.json",
                                      content=json.dumps(rows, ensure_ascii=False).encode())
        return batch.id, [(r.status, r.note, r.error_message) for r in batch.records]


def test_death_on_the_population_feed_stops_payment_and_opens_recovery(sessions):
    ssn, award_id = recipient(sessions, monthly=MONTHLY, start=202601)
    payroll(sessions, *range(202601, 202611))
    row = {"event_id": "GA-2026-000123", "event": "death", "citizen_id": ssn,
           "death_date": "2026-08-31"}
    _, records = feed(sessions, "population", [row])
    assert records[0][0] == "processed"
    assert "已停发待遇1项" in records[0][1] and "8,247.00" in records[0][1]  # Sep + Oct
    with sessions() as db:
        award = db.get(Award, award_id)
        assert (award.status, award.last_period) == ("stopped", 202608)
        debt = db.query(Debt).filter(Debt.award_id == award_id).one()
        assert (debt.first_period, debt.last_period, debt.principal) == (202609, 202610, 2 * MONTHLY)
        report = db.query(StopReport).one()
        assert report.source == "feed" and report.late  # nobody reported within 20 wd
        assert db.query(SharedFact).filter(SharedFact.kind == "death").count() == 1
    # The payroll pays nobody for November.
    payroll(sessions, 202611)
    # The same event in another file is a duplicate: nothing twice.
    _, again = feed(sessions, "population", [row, {**row, "event_id": "MZ-2026-9"}])
    assert [r[0] for r in again] == ["duplicate", "skipped"]
    with sessions() as db:
        assert db.query(Payment).filter(Payment.award_id == award_id).count() == 10
        assert db.query(Debt).count() == 1 and db.query(DebtEntry).count() == 1
        assert db.query(AwardEvent).count() == 1


def test_imprisonment_suspends_and_release_resumes_with_back_pay_once(sessions):
    ssn, award_id = recipient(sessions, monthly=MONTHLY, start=202601)
    payroll(sessions, *range(202601, 202609))
    _, records = feed(sessions, "judicial", [
        {"event_id": "SF-1", "event": "imprisonment", "citizen_id": ssn, "event_date": "2026-08-20",
         "institution": "浙江省第一监狱"}])
    assert records[0][0] == "processed" and "暂停发放待遇1项" in records[0][1]
    with sessions() as db:
        assert db.get(Award, award_id).status == "suspended"
        event = db.query(AwardEvent).one()
        assert (event.kind, event.effective_period, event.source) == ("suspend", 202609, "feed")
        assert db.query(Debt).count() == 0  # nothing was paid for September yet
    payroll(sessions, 202609, 202610)  # suspended: not paid
    _, released = feed(sessions, "judicial", [
        {"event_id": "SF-2", "event": "release", "citizen_id": ssn, "event_date": "2026-09-15"}])
    assert released[0][0] == "processed" and "待资格比对核实" in released[0][1]
    with sessions() as db:
        assert db.get(Award, award_id).status == "suspended"  # a release alone resumes nothing

    payload = {"ssn": ssn, "reason": "release", "event_date": "2026-09-15", "back_pay": True,
               "note": "释放证明书（2026）浙狱释字第15号"}
    case = through_review(sessions, "BEN-RESUME", payload)
    assert case["status"] == "completed" and case["levels"] == 3
    with sessions() as db:
        award = db.get(Award, award_id)
        assert award.status == "active"
        back = db.query(Payment).filter(Payment.award_id == award_id,
                                        Payment.kind == "back_pay").all()
        # September was in custody (not due); October is due from the month after release.
        assert [(p.period, p.gross, p.run_id) for p in back] == [(202610, MONTHLY, None)]
        resume = db.query(AwardEvent).filter(AwardEvent.kind == "resume").one()
        assert resume.effective_period == 202610
    with sessions() as db, pytest.raises(Conflict) as again:  # never twice
        cases.submit(db, CLERK, "BEN-RESUME", payload)
    assert again.value.code == "resume.not_suspended"
    payroll(sessions, 202611)
    with sessions() as db:
        months = sorted(p for (p,) in db.query(Payment.period).filter(Payment.award_id == award_id))
        assert months == [*range(202601, 202609), 202610, 202611]


def test_wrong_match_back_pays_every_suspended_month_and_cancels_the_order(sessions):
    ssn, award_id = recipient(sessions, monthly=MONTHLY, start=202601)
    payroll(sessions, *range(202601, 202610))  # paid to September
    feed(sessions, "judicial", [{"event_id": "SF-9", "event": "imprisonment", "citizen_id": ssn,
                                 "event_date": "2026-08-03"}])
    with sessions() as db:
        debt = db.query(Debt).one()  # September had been paid: ordered back
        assert (debt.first_period, debt.principal) == (202609, MONTHLY)
    payroll(sessions, 202610, 202611)
    through_review(sessions, "BEN-RESUME", {"ssn": ssn, "reason": "wrong_match",
                                            "event_date": "2026-11-20",
                                            "note": "同名同号错误匹配，已反馈司法行政机关"})
    with sessions() as db:
        back = db.query(Payment).filter(Payment.kind == "back_pay").order_by(Payment.period).all()
        assert [p.period for p in back] == [202610, 202611]  # the completed November run too
        debt = db.get(Debt, debt.id)
        assert debt.status == "settled"
        assert [(e.kind, e.amount) for e in db.query(DebtEntry).order_by(DebtEntry.id)] == [
            ("order", MONTHLY), ("cancel", -MONTHLY)]


def test_a_report_within_twenty_working_days_is_not_late(sessions):
    ssn, award_id = recipient(sessions, monthly=MONTHLY, start=202601)
    with sessions() as db:
        report = stops.record_stop(db, CLERK, ssn, StopReportIn(
            reason="imprisonment", event_date=dt.date(2026, 11, 2), reporter="employer",
            reporter_name="杭州某某有限公司"))
        assert report.report_due_on == dt.date(2026, 11, 30) and not report.late
        assert report.awards == 1 and report.overpaid == 0
        assert db.get(Award, award_id).status == "suspended"


def test_stop_refusals(sessions):
    ssn, award_id = recipient(sessions, monthly=MONTHLY, start=202601)
    with sessions() as db, pytest.raises(InvalidInput) as future:
        stops.record_stop(db, CLERK, ssn, StopReportIn(reason="death", event_date=dt.date(2026, 12, 1),
                                                       reporter="relative"))
    assert future.value.field == "event_date"
    with sessions() as db, pytest.raises(Conflict) as resident_only:
        stops.record_stop(db, CLERK, ssn, StopReportIn(
            reason="nationality_loss", event_date=dt.date(2026, 10, 1), reporter="person"))
    assert resident_only.value.code == "stop.no_award"  # enterprise pension is not stopped by it
    outsider = Actor("cashier1", frozenset({"cashier"}), False, "counter")
    with sessions() as db, pytest.raises(Exception) as forbidden:
        stops.record_stop(db, outsider, ssn, StopReportIn(
            reason="death", event_date=dt.date(2026, 10, 1), reporter="relative"))
    assert getattr(forbidden.value, "code", "") == "auth.forbidden"
    with sessions() as db:
        assert db.get(Award, award_id).status == "active"
        assert db.query(StopReport).count() == 0 and db.query(AwardEvent).count() == 0


def test_judicial_feed_refuses_bad_rows_and_keeps_facts_of_strangers(sessions):
    _, records = feed(sessions, "judicial", [
        {"event": "imprisonment", "citizen_id": "330106199001010000", "event_date": "2026-08-20"},
        {"event": "escape", "citizen_id": "x", "event_date": "2026-08-20"},
        {"event": "release", "citizen_id": citizen_stranger(), "event_date": "2026-13-01"}])
    assert [r[0] for r in records] == ["rejected", "rejected", "rejected"]
    stranger = citizen_stranger()
    _, kept = feed(sessions, "exit", [{"event": "emigration", "citizen_id": stranger,
                                       "event_date": "2026-05-01", "country": "加拿大"}])
    assert kept[0][0] == "processed" and "本地无该人员" in kept[0][1]
    with sessions() as db:
        assert db.query(SharedFact).filter(SharedFact.ssn == stranger).count() == 1
        assert db.query(FeedRecord).filter(FeedRecord.kind == "exit").count() == 1


def citizen_stranger() -> str:
    from tests.conftest import citizen_id

    return citizen_id(dt.date(1955, 1, 1))


def test_stop_reports_api(client, login, sessions):
    ssn, _ = recipient(sessions, monthly=MONTHLY, start=202601)
    clerk = login("clerk")
    body = {"item": "BEN-STOP-REPORT", "payload": {
        "ssn": ssn, "reason": "death", "event_date": "2026-10-30", "reporter": "relative"}}
    reply = client.post("/api/v1/cases", json=body, headers=clerk)
    assert reply.status_code == 201, reply.text
    assert reply.json()["status"] == "in_review"  # checked by a reviewer before it stops
    bad = client.post("/api/v1/cases", headers=clerk, json={
        "item": "BEN-STOP-REPORT", "payload": {"ssn": ssn, "reason": "moved", "event_date": "x",
                                               "reporter": "relative"}})
    assert bad.status_code == 422 and bad.json()["error"]["field"].startswith("payload.")
    listed = client.get("/api/v1/benefits/stops", headers=clerk)
    assert listed.status_code == 200 and listed.json() == []


def _wrongly_suspended(sessions) -> tuple[str, int]:
    """Paid Jan–Sep 2026, suspended by a wrong imprisonment match from September: September's
    4,123.50 ordered back. (SSN, debt id)."""
    ssn, _ = recipient(sessions, monthly=MONTHLY, start=202601)
    payroll(sessions, *range(202601, 202610))
    feed(sessions, "judicial", [{"event_id": "SF-7", "event": "imprisonment", "citizen_id": ssn,
                                 "event_date": "2026-08-03"}])
    with sessions() as db:
        return ssn, db.query(Debt).one().id


def _resume_wrong_match(sessions, ssn: str) -> None:
    through_review(sessions, "BEN-RESUME", {"ssn": ssn, "reason": "wrong_match",
                                            "event_date": "2026-11-20", "note": "错误匹配"})


def test_wrong_match_refunds_what_was_already_recovered_once(sessions):
    ssn, debt_id = _wrongly_suspended(sessions)
    with sessions() as db:  # the family repaid 1,000.00 of the 4,123.50 before the review
        recovery.record_repayment(db, ACCOUNTANT, debt_id, RepaymentIn(amount=Decimal("1000.00"),
                                                                        reference="收据0100"))
    _resume_wrong_match(sessions, ssn)
    with sessions() as db:
        # The order is cancelled in full and the 1,000.00 paid back: balance 0.
        assert [(e.kind, e.amount) for e in db.query(DebtEntry).order_by(DebtEntry.id)] == [
            ("order", MONTHLY), ("repayment", -100000), ("cancel", -MONTHLY), ("refund", 100000)]
        refund = db.query(Refund).one()
        assert (refund.debt_id, refund.amount, refund.bank_account) == \
            (debt_id, 100000, "6217000010009876543")
        entry = db.query(DebtEntry).filter(DebtEntry.kind == "refund").one()
        assert entry.reference == f"refund:{refund.id}"
        assert recovery.balance(db, debt_id) == 0 and db.get(Debt, debt_id).status == "settled"
        award_id = db.get(Debt, debt_id).award_id
        suspension = db.query(AwardEvent).filter(AwardEvent.kind == "suspend").one()
    with sessions() as db:  # cancelling again (a rerun of the act) refunds nothing twice
        assert recovery.cancel_for_event(db, CASE_ACT, award_id, suspension.id, "重复") == 0
    with sessions() as db:
        assert db.query(Refund).count() == 1 and db.query(DebtEntry).count() == 4


def test_wrong_match_refunds_a_debt_already_settled(sessions):
    ssn, debt_id = _wrongly_suspended(sessions)
    with sessions() as db:  # repaid in full: the debt is settled before the resumption
        recovery.record_repayment(db, ACCOUNTANT, debt_id, RepaymentIn(amount=Decimal("4123.50"),
                                                                        reference="收据0101"))
        assert db.get(Debt, debt_id).status == "settled"
    _resume_wrong_match(sessions, ssn)
    with sessions() as db:
        assert [(e.kind, e.amount) for e in db.query(DebtEntry).order_by(DebtEntry.id)] == [
            ("order", MONTHLY), ("repayment", -MONTHLY), ("cancel", -MONTHLY), ("refund", MONTHLY)]
        assert [r.amount for r in db.query(Refund)] == [MONTHLY]
        assert recovery.balance(db, debt_id) == 0

