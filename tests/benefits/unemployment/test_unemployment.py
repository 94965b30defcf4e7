"""Unemployment benefits (失业保险金, R§24): claims through the case engine, worked examples
computed by hand, payment by the common payroll with the employee-medical premium the
unemployment fund pays, stops with the months kept, and the refusals that write nothing.

Demo policy in force on the registration dates (policy/330000/unemployment.yaml): monthly
benefit 2,241.00 yuan = 224100 fen (90 % of the minimum wage 2,490.00; minimum living standard
1,310.00 ≤ 2,241.00 ≤ 2,490.00). Duration (《失业保险条例》第十七条, policy/national): 1 to
under 5 years 12 months, 5 to under 10 years 18, 10 years and more 24; merged with the months
an earlier entitlement left, never above 24. Medical premium: base 4,296.00 × 9.5 % = 408.12
yuan = 40812 fen a month.

Today is 2026-11-24; the last employment ended 2026-09-30 and the unemployment registration is
2026-10-12 unless said otherwise, so payment starts with 2026-10 (202610).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award, AwardEvent, Payment
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.benefits.unemployment import service as unemployment
from jingban.benefits.unemployment.schemas import RefusalIn
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.errors import InvalidInput
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.records.models import Contribution
from jingban.registration import service as registration
from jingban.registration.models import Person
from jingban.registration.schemas import EnrollmentCreate
from tests.benefits.stop_helpers import CLERK, TODAY, payroll, recipient, through_review
from tests.benefits.unemployment.helpers import (
    MONTHLY,
    PREMIUM,
    claim,
    earlier_award,
    employer,
    months,
    unemployed,
)
from tests.conftest import citizen_id

ITEM = "BEN-UNEMPLOYMENT"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _claim(sessions, ssn: str, registration_date: str = "2026-10-12") -> Award:
    case = through_review(sessions, ITEM, {"ssn": ssn, **claim(registration_date)})
    assert case["status"] == "completed", case
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        award = db.execute(select(Award).where(Award.person_id == person.id,
                                               Award.kind == "unemployment",
                                               Award.status == "active")).scalar_one()
        db.expunge(award)
        return award


def _inputs(award: Award) -> dict:
    return json.loads(award.breakdown)["inputs"]


def _refused(sessions, ssn: str, registration_date: str = "2026-10-12") -> str:
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        cases.submit(db, CLERK, ITEM, {"ssn": ssn, **claim(registration_date)})
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        assert db.query(Award).filter(Award.person_id == person.id,
                                      Award.status == "active").count() == 0
        assert db.query(cases.Case).filter(cases.Case.item_code == ITEM).count() == 0
    return caught.value.message


# --- worked examples --------------------------------------------------------------------------

def test_three_years_paid_gives_twelve_months_and_the_first_payment_with_the_premium(sessions):
    # 2023-10 … 2026-09: 36 months = 3 full years → tier "1 to under 5 years": 12 months.
    # Paid 202610 … 202709 (202610 + 11 months); total 224100 × 12 = 2689200 fen (26,892.00).
    ssn = unemployed(sessions, periods=months(202310, 202609))
    award = _claim(sessions, ssn)
    assert (award.start_period, award.last_period, award.monthly_amount) == (202610, 202709, MONTHLY)
    inputs = _inputs(award)
    assert (inputs["counted_months"], inputs["new_months"], inputs["carried_months"],
            inputs["months"]) == (36, 12, 0, 12)
    with sessions() as db:
        preview = unemployment.preview(db, CLERK, ssn, dt.date(2026, 10, 12))
    assert preview.eligible is False  # the award is now in force: a second claim is refused
    payroll(sessions, 202610, 202611)
    with sessions() as db:
        paid = db.query(Payment).filter(Payment.award_id == award.id).order_by(Payment.period).all()
        assert [(p.period, p.gross, p.net) for p in paid] == [(202610, MONTHLY, MONTHLY),
                                                              (202611, MONTHLY, MONTHLY)]
        # The fund pays the employee-medical premium each month paid: 40812 fen, no personal part.
        premiums = db.query(Contribution).filter(Contribution.insurance == "medical_employee")\
            .order_by(Contribution.period).all()
        assert [(c.period, c.employer_amount, c.personal_amount, c.base) for c in premiums] == \
            [(202610, PREMIUM, 0, 429600), (202611, PREMIUM, 0, 429600)]
        assert {c.person_id for c in premiums} == {paid[0].person_id}
        # Booked to both funds, once per run: the unemployment fund's expense, the medical
        # fund's contribution income; the benefit itself is the unemployment fund's payroll.
        lines = db.execute(select(JournalEntry.fund, JournalEntry.source, JournalLine.account,
                                  JournalLine.debit, JournalLine.credit).join(JournalLine)).all()

        def booked(fund: str, source: str, account: int) -> int:
            return sum(d + c for f, s, a, d, c in lines
                       if f == fund and s.startswith(source) and a == account)

        assert booked("unemployment", "payroll:", 5001) == 2 * MONTHLY  # 社会保险待遇支出
        assert booked("unemployment", "unemployment_medical:", 5001) == 2 * PREMIUM
        assert booked("medical_employee", "unemployment_medical:", 4001) == 2 * PREMIUM  # 保险费收入
        assert booked("pension_enterprise", "payroll:", 5001) == 0
    payroll(sessions, 202611)  # a rerun of a completed month writes no premium twice
    with sessions() as db:
        assert db.query(Contribution).filter(Contribution.insurance == "medical_employee").count() == 2


def test_seven_years_paid_gives_eighteen_months(sessions):
    # 2019-10 … 2026-09: 84 months = 7 years → "5 to under 10 years": 18 months,
    # 202610 … 202803; total 224100 × 18 = 4033800 fen (40,338.00 yuan).
    ssn = unemployed(sessions, periods=months(201910, 202609))
    award = _claim(sessions, ssn)
    assert (award.start_period, award.last_period) == (202610, 202803)
    assert _inputs(award)["months"] == 18
    assert award.monthly_amount * 18 == 4033800


def test_twelve_years_paid_gives_the_longest_tier_of_twenty_four_months(sessions):
    # 2014-10 … 2026-09: 144 months = 12 years → "10 years and more": 24 months,
    # 202610 … 202809; total 224100 × 24 = 5378400 fen (53,784.00 yuan).
    ssn = unemployed(sessions, periods=months(201410, 202609))
    with sessions() as db:
        shown = unemployment.preview(db, CLERK, ssn, dt.date(2026, 10, 12))
    assert (shown.eligible, shown.months, shown.total, shown.last_period) == \
        (True, 24, "53784.00", 202809)
    award = _claim(sessions, ssn)
    assert (award.last_period, _inputs(award)["months"]) == (202809, 24)


def test_months_left_from_an_earlier_benefit_are_carried_over(sessions):
    # Earlier: 12 months entitled from 2023-01, 5 drawn (202301 … 202305), stopped on
    # re-employment → 12 − 5 = 7 months left. Contributions 2018-01 … 2022-12 (60 months)
    # were counted for that claim; counted again from 202306: 2023-06 … 2026-09 = 40 months
    # = 3 years 4 months → 12 months. 12 + 7 = 19 months (under the 24 cap),
    # 202610 … 202804; total 224100 × 19 = 4257900 fen (42,579.00 yuan).
    # (Counting all 100 months — 8 years — would have given 18 + 7 = 25 → 24: recounting matters.)
    ssn = unemployed(sessions, periods=months(201801, 202212) + months(202306, 202609))
    earlier_award(sessions, ssn, start=202301, entitled=12, drawn=5)
    with sessions() as db:
        shown = unemployment.preview(db, CLERK, ssn, dt.date(2026, 10, 12))
    assert (shown.new_months, shown.carried_months, shown.months, shown.total) == \
        (12, 7, 19, "42579.00")
    award = _claim(sessions, ssn)
    assert (award.start_period, award.last_period) == (202610, 202804)
    assert (_inputs(award)["counted_months"], _inputs(award)["counted_after"]) == (40, 202305)


def test_carried_over_months_never_take_the_total_above_twenty_four(sessions):
    # Earlier: 18 months entitled from 2020-01, 4 drawn (202001 … 202004) → 14 left.
    # Counted from 202005: 2020-05 … 2026-09 = 77 months = 6 years 5 months → 18 months.
    # 18 + 14 = 32 → capped at 24: 202610 … 202809; total 224100 × 24 = 5378400 fen.
    ssn = unemployed(sessions, periods=months(201401, 201912) + months(202005, 202609))
    earlier_award(sessions, ssn, start=202001, entitled=18, drawn=4)
    award = _claim(sessions, ssn)
    inputs = _inputs(award)
    assert (inputs["new_months"], inputs["carried_months"], inputs["months"]) == (18, 14, 24)
    assert award.last_period == 202809


def test_a_claim_after_months_already_run_is_back_paid_once(sessions):
    # Another recipient's payroll has run 202610; the claim (registered 2026-10-12) is decided
    # afterwards: 202610 is back paid (补发) by the next run, 202611 paid as the month's own.
    recipient(sessions, monthly=300000, start=202610)
    payroll(sessions, 202610)
    ssn = unemployed(sessions, periods=months(202310, 202609))
    award = _claim(sessions, ssn)
    with sessions() as db:
        waiting = db.query(Payment).filter(Payment.award_id == award.id).all()
        assert [(p.period, p.kind, p.run_id) for p in waiting] == [(202610, "back_pay", None)]
    payroll(sessions, 202611)
    with sessions() as db:
        paid = db.query(Payment).filter(Payment.award_id == award.id).order_by(Payment.period).all()
        assert [(p.period, p.kind, p.run_id is not None) for p in paid] == \
            [(202610, "back_pay", True), (202611, "regular", True)]
        premiums = db.query(Contribution).filter(Contribution.insurance == "medical_employee",
                                                 Contribution.person_id == award.person_id).all()
        assert sorted(c.period for c in premiums) == [202610, 202611]


# --- refusals that write nothing ----------------------------------------------------------------

def test_under_a_year_paid_is_refused(sessions):
    ssn = unemployed(sessions, periods=months(202511, 202609))  # 11 months
    message = _refused(sessions, ssn)
    assert "累计缴纳失业保险费11个月，不满12个月" in message


def test_a_voluntary_resignation_is_refused(sessions):
    ssn = unemployed(sessions, periods=months(202310, 202609), separation="resigned")
    message = _refused(sessions, ssn)
    assert "本人意愿中断就业" in message and "辞职" in message


def test_an_end_of_employment_not_recorded_and_a_job_still_held_are_refused(sessions):
    unknown = unemployed(sessions, periods=months(202310, 202609), separation=None)
    assert "终止原因未登记" in _refused(sessions, unknown)
    working = unemployed(sessions, periods=months(202310, 202609), active=True)
    assert "仍在参加失业保险" in _refused(sessions, working)


def test_a_second_unemployment_benefit_while_one_is_active_is_refused(sessions):
    ssn = unemployed(sessions, periods=months(202310, 202609))
    _claim(sessions, ssn)
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        cases.submit(db, CLERK, ITEM, {"ssn": ssn, **claim()})
    assert "已有正在领取的失业保险金" in caught.value.message
    with sessions() as db:
        assert db.query(Award).filter(Award.kind == "unemployment").count() == 1


def test_registration_before_the_end_of_employment_is_refused(sessions):
    ssn = unemployed(sessions, periods=months(202310, 202609))
    assert "早于终止就业日期" in _refused(sessions, ssn, "2026-09-20")


# --- stops: the months left are kept --------------------------------------------------------------

def test_a_new_enrollment_stops_the_benefit_and_keeps_the_months_left(sessions):
    # 12 months from 202610; paid 202610 and 202611; re-employed 2026-11-16 → stopped from
    # 202612 (the month after), last month 202611: 2 used, 10 left for a later claim.
    ssn = unemployed(sessions, periods=months(202310, 202609))
    award = _claim(sessions, ssn)
    payroll(sessions, 202610, 202611)
    with sessions() as db:
        unit = employer(db, "杭州再就业有限公司")
        db.commit()
        uscc = unit.uscc
    with sessions() as db:
        registration.enroll(db, CLERK, ssn, EnrollmentCreate(
            insurance="unemployment", employer_uscc=uscc, start_date=dt.date(2026, 11, 16),
            contribution_base="6000"))
    with sessions() as db:
        stopped = db.get(Award, award.id)
        assert (stopped.status, stopped.last_period, stopped.stop_reason) == \
            ("stopped", 202611, "重新就业")
        event = db.query(AwardEvent).filter(AwardEvent.award_id == award.id).one()
        assert (event.kind, event.reason, event.effective_period, event.source) == \
            ("stop", "reemployment", 202612, "employer")
        assert unemployment.months_left(db, stopped) == 10
        shown = unemployment.record_of(db, CLERK, ssn)["awards"][0]
        assert (shown["entitled"], shown["used"], shown["left"]) == (12, 2, 10)
    payroll(sessions, 202612)  # nothing more is paid
    with sessions() as db:
        assert db.query(Payment).filter(Payment.award_id == award.id).count() == 2


def test_emigration_on_the_exit_feed_stops_unemployment_but_only_queues_a_pension(sessions):
    from tests.benefits.test_stops import feed

    ssn = unemployed(sessions, periods=months(202310, 202609))
    award = _claim(sessions, ssn)
    payroll(sessions, 202610, 202611)
    _, rows = feed(sessions, "exit", [{"event_id": "CJ-1", "event": "emigration",
                                       "citizen_id": ssn, "event_date": "2026-10-20"}])
    assert rows[0][0] == "processed" and "已停发待遇1项" in rows[0][1]
    with sessions() as db:
        stopped = db.get(Award, award.id)
        assert (stopped.status, stopped.last_period) == ("stopped", 202610)
        # 202611 was paid after the right ended: 224100 fen ordered back from the person.
        debt = db.query(Debt).filter(Debt.award_id == award.id).one()
        assert (debt.principal, debt.first_period, debt.last_period) == (MONTHLY, 202611, 202611)
        assert unemployment.months_left(db, stopped) == 11


def test_the_second_refusal_of_suitable_work_stops_the_benefit(sessions):
    ssn = unemployed(sessions, periods=months(202310, 202609))
    award = _claim(sessions, ssn)
    with sessions() as db:
        unemployment.record_refusal(db, CLERK, ssn, RefusalIn(refused_on=dt.date(2026, 10, 20),
                                                              note="拒绝推荐的仓储管理岗位"))
    with sessions() as db:
        assert db.get(Award, award.id).status == "active"  # one refusal: still paid
        unemployment.record_refusal(db, CLERK, ssn, RefusalIn(refused_on=dt.date(2026, 11, 18),
                                                              note="拒绝参加职业技能培训"))
    with sessions() as db:
        stopped = db.get(Award, award.id)
        assert (stopped.status, stopped.last_period) == ("stopped", 202611)
        assert stopped.stop_reason == "无正当理由两次拒不接受推荐的工作或培训"


# --- payroll deductions keep to their fund ------------------------------------------------------------

def test_a_pension_debt_is_not_deducted_from_the_unemployment_benefit(sessions):
    ssn = unemployed(sessions, periods=months(202310, 202609))
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        pension = Award(person_id=person.id, kind="pension_enterprise", status="stopped",
                        start_period=202401, last_period=202403, monthly_amount=100000,
                        decided_on=dt.date(2024, 1, 1), decided_by="test")
        db.add(pension)
        db.flush()
        debt = Debt(person_id=person.id, award_id=pension.id, reason="多领养老金", principal=100000,
                    status="open", ordered_on=dt.date(2026, 1, 5), due_on=dt.date(2026, 2, 5))
        db.add(debt)
        db.flush()
        db.add(DebtEntry(debt_id=debt.id, kind="order", amount=100000, entry_on=dt.date(2026, 1, 5),
                         reference="test", recorded_by="test"))
        db.commit()
        debt_id = debt.id
    award = _claim(sessions, ssn)
    payroll(sessions, 202610)
    with sessions() as db:
        payment = db.query(Payment).filter(Payment.award_id == award.id).one()
        assert (payment.gross, payment.deduction, payment.net) == (MONTHLY, 0, MONTHLY)
        assert db.execute(select(DebtEntry).where(DebtEntry.debt_id == debt_id,
                                                  DebtEntry.kind == "deduction")).first() is None


# --- death while receiving: survivor benefits from the unemployment fund (R§19) ---------------------

def test_death_while_receiving_gives_survivor_benefits_paid_by_the_unemployment_fund(sessions):
    # Receiving from 202610; dies 2026-11-05 (on the population feed): stopped from 202612, the
    # months through November were due. Survivor benefits by the unemployment fund's rule
    # (《失业保险条例》第二十条, policy unemployment.survivor: 参照当地在职职工死亡的规定, demo
    # 2 × and 6 months, whatever the 96 pension months on record; test_survivor_rule.py);
    # funeral 2 × 6,433.00 = 12,866.00; pension 6 × 6,433.00 = 38,598.00; total 51,464.00
    # = 5146400 fen, paid once in 202612 by the unemployment fund, not the pension fund.
    from tests.benefits.test_stops import feed

    ssn = unemployed(sessions, periods=months(202310, 202609), pension=months(201810, 202609))
    award = _claim(sessions, ssn)
    payroll(sessions, 202610, 202611)
    _, rows = feed(sessions, "population", [{"event_id": "GA-U-1", "event": "death",
                                             "citizen_id": ssn, "death_date": "2026-11-05"}])
    assert "已停发待遇1项" in rows[0][1]
    with sessions() as db:
        assert (db.get(Award, award.id).status, db.get(Award, award.id).last_period) == \
            ("stopped", 202611)
    dependant = citizen_id(dt.date(1986, 3, 4))
    case = through_review(sessions, "BEN-SURVIVOR", {
        "ssn": ssn, "applicant_name": "遗属戊", "applicant_id_number": dependant,
        "relationship": "spouse", "bank_account": "6217000010005550009", "phone": ""},
        provided=["relationship_proof"])
    assert case["status"] == "completed"
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        survivor = db.query(Award).filter(Award.person_id == person.id,
                                          Award.kind == "survivor_unemployment").one()
        inputs = json.loads(survivor.breakdown)["inputs"]
        assert (inputs["contribution_months"], inputs["months"]) == (96, 6)
        assert (inputs["funeral"], inputs["pension"], survivor.monthly_amount) == \
            (1286600, 3859800, 5146400)
        assert "第二十条" in survivor.basis
    payroll(sessions, 202612)
    with sessions() as db:
        entries = db.query(JournalEntry).filter(JournalEntry.source.like("payroll:%")).all()
        funds = {e.fund for e in entries}
        assert funds == {"unemployment"}  # the benefit months and the survivor payment alike
        paid = db.query(Payment).filter(Payment.award_id == survivor.id).one()
        assert (paid.period, paid.gross, paid.run_id is not None) == (202612, 5146400, True)


# --- stops from the employment feed, a stop report and a pension -------------------------------------

def test_the_employment_feed_stops_on_reemployment_and_on_enlistment(sessions):
    from tests.benefits.test_stops import feed

    hired = unemployed(sessions, periods=months(202310, 202609), name="失业己")
    enlisted = unemployed(sessions, periods=months(202310, 202609), name="失业庚")
    first, second = _claim(sessions, hired), _claim(sessions, enlisted)
    payroll(sessions, 202610)
    _, rows = feed(sessions, "employment", [
        {"event_id": "JY-1", "event": "reemployment", "citizen_id": hired, "event_date": "2026-10-26",
         "unit": "杭州某物流有限公司"},
        {"event_id": "RW-1", "event": "enlistment", "citizen_id": enlisted, "event_date": "2026-09-15"}])
    assert [r[0] for r in rows] == ["processed", "processed"]
    assert "已停发待遇1项" in rows[0][1] and "已停发待遇1项" in rows[1][1]
    with sessions() as db:
        # Re-employed in October: paid through October, 11 months kept.
        stopped = db.get(Award, first.id)
        assert (stopped.status, stopped.last_period, stopped.stop_reason) == ("stopped", 202610, "重新就业")
        assert unemployment.months_left(db, stopped) == 11
        # Enlisted 2026-09-15, before the first month paid: October was not due — ordered back,
        # and all 12 months are kept.
        enlisted_award = db.get(Award, second.id)
        assert (enlisted_award.last_period, enlisted_award.stop_reason) == (202609, "应征服兵役")
        assert db.query(Debt).filter(Debt.award_id == second.id).one().principal == MONTHLY
        assert unemployment.months_left(db, enlisted_award) == 12


def test_a_stop_report_of_enlistment_goes_through_the_stop_act(sessions):
    from jingban.benefits.stops import service as stops
    from jingban.benefits.stops.schemas import StopReportIn

    ssn = unemployed(sessions, periods=months(202310, 202609))
    award = _claim(sessions, ssn)
    with sessions() as db:
        report = stops.record_stop(db, CLERK, ssn, StopReportIn(
            reason="enlistment", event_date=dt.date(2026, 11, 10), reporter="person"))
        assert report.awards == 1
    with sessions() as db:
        assert db.get(Award, award.id).last_period == 202611


def test_a_pension_determined_ends_the_unemployment_benefit(sessions):
    # Born 1966-01: statutory age 60 years 4 months, reached 2026-05; 33 months of pension
    # contributions and 150 deemed. The pension is paid from 202612, so the unemployment
    # benefit ends with 202611.
    from jingban.records.models import DeemedService
    from tests.benefits.pension_helpers import ACCOUNT

    ssn = unemployed(sessions, periods=months(202310, 202609), birth=dt.date(1966, 1, 10),
                     pension=months(202401, 202609))
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        db.add(DeemedService(person_id=person.id, insurance="pension_enterprise", months=150,
                             from_date=dt.date(1984, 1, 1), to_date=dt.date(1996, 6, 30),
                             evidence="人事档案", recorded_by="test"))
        db.commit()
    award = _claim(sessions, ssn)
    case = through_review(sessions, "BEN-PENSION", {"ssn": ssn, "bank_account": ACCOUNT})
    assert case["status"] == "completed", case
    with sessions() as db:
        stopped = db.get(Award, award.id)
        assert (stopped.status, stopped.last_period, stopped.stop_reason) == \
            ("stopped", 202611, "享受基本养老保险待遇")
        event = db.query(AwardEvent).filter(AwardEvent.award_id == award.id).one()
        assert (event.reason, event.effective_period) == ("pension_start", 202612)
