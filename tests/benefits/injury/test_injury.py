"""Work-injury benefits (工伤保险待遇, R§21–§22): worked examples computed by hand, every item
through the case engine, payment by the common payroll booked to the injury fund, the
dependants' stops, and the bad input that writes nothing.

Policy in force (policy/national/injury.yaml, policy/330000): the region's average monthly wage
7,700.00 yuan = 770000 fen from 2025-01-01 (contribution.average_monthly_wage), so 本人工资 is
floored at 60 % = 462000 fen and capped at 300 % = 2310000 fen (第六十四条). The injury is on
2026-03-10; its 12 months before are 202503 … 202602. The appraisal concludes on 2026-09-15,
so monthly benefits start 202610. Today is 2026-11-24; a one-off is paid with 202612.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award, Payment
from jingban.benefits.injury import batch, service
from jingban.benefits.injury.models import InjuryEvent, Recognition
from jingban.benefits.injury.schemas import DependantStopIn
from jingban.benefits.stops import service as stops
from jingban.benefits.stops.schemas import StopReportIn
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.errors import Conflict, InvalidInput
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.registration.models import Person
from tests.benefits.injury.helpers import (
    BANK,
    awards_of,
    injured,
    recognised,
    recognition,
    relative,
    take,
)
from tests.benefits.stop_helpers import CLERK, TODAY, payroll


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _inputs(award: Award) -> dict:
    return json.loads(award.breakdown)["inputs"]


def _recognition(sessions, number: str) -> Recognition:
    with sessions() as db:
        found = db.execute(select(Recognition).where(Recognition.decision_number == number)).scalar_one()
        db.expunge(found)
        return found


def _disability(sessions, ssn: str, number: str, **extra) -> None:
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": number, "bank_account": BANK, **extra})


# --- worked examples ---------------------------------------------------------------------------

def test_grade_1_with_nursing_gets_the_grant_the_allowance_and_nursing_paid_and_booked(sessions):
    # Base 6,000.00 = 600000 fen each month: 本人工资 600000 (between 462000 and 2310000).
    # Grade 1: grant 27 × 600000 = 16200000 fen (162,000.00); allowance 90 % = 540000 (5,400.00)
    # a month; nursing level 1 (完全不能自理) 50 % × 770000 = 385000 (3,850.00) a month.
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕001号", grade=1, nursing=1)
    assert _recognition(sessions, "杭人社工认〔2026〕001号").own_wage == 600000
    _disability(sessions, ssn, "杭人社工认〔2026〕001号")
    found = awards_of(sessions, ssn)
    assert found["injury_grant"].monthly_amount == 16200000
    allowance = found["injury_allowance"]
    assert (allowance.monthly_amount, allowance.start_period) == (540000, 202610)
    assert (found["injury_nursing"].monthly_amount, found["injury_nursing"].start_period) == (385000, 202610)
    assert found["injury_grant"].start_period == 202612
    # Three runs: allowance and nursing 202610, 202611, 202612; the grant once with 202612.
    payroll(sessions, 202610, 202611, 202612)
    with sessions() as db:
        paid = db.execute(select(Award.kind, Payment.period, Payment.net).join(Award)
                          .order_by(Award.kind, Payment.period)).all()
        assert paid == [("injury_allowance", 202610, 540000), ("injury_allowance", 202611, 540000),
                        ("injury_allowance", 202612, 540000), ("injury_grant", 202612, 16200000),
                        ("injury_nursing", 202610, 385000), ("injury_nursing", 202611, 385000),
                        ("injury_nursing", 202612, 385000)]
        # Booked to the injury fund: 3 × 540000 + 3 × 385000 + 16200000 = 18975000 fen.
        lines = db.execute(select(JournalEntry.fund, JournalLine.account, JournalLine.debit)
                           .join(JournalLine).where(JournalEntry.source.like("payroll:%"))).all()
        assert sum(d for f, a, d in lines if f == "injury" and a == 5001) == 18975000
        assert {f for f, _, _ in lines} == {"injury"}


def test_the_floor_of_sixty_percent_grade_4(sessions):
    # Base 3,000.00 < 60 % × 7,700.00 = 4,620.00 → 本人工资 462000 fen (第六十四条).
    # Grade 4: grant 21 × 462000 = 9702000 fen; allowance 75 % × 462000 = 346500 fen a month.
    ssn, unit = injured(sessions, base=300000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕002号", grade=4)
    rec = _recognition(sessions, "杭人社工认〔2026〕002号")
    assert (rec.own_wage, rec.plain_wage) == (462000, 300000)
    _disability(sessions, ssn, "杭人社工认〔2026〕002号")
    found = awards_of(sessions, ssn)
    assert found["injury_grant"].monthly_amount == 9702000
    assert found["injury_allowance"].monthly_amount == 346500
    assert "injury_nursing" not in found


def test_the_cap_of_three_hundred_percent_grade_10_has_no_monthly_allowance(sessions):
    # Base 30,000.00 > 300 % × 7,700.00 = 23,100.00 → 本人工资 2310000 fen.
    # Grade 10: grant 7 × 2310000 = 16170000 fen; grades 5–10 get no allowance from the fund.
    ssn, unit = injured(sessions, base=3000000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕003号", grade=10)
    assert _recognition(sessions, "杭人社工认〔2026〕003号").own_wage == 2310000
    _disability(sessions, ssn, "杭人社工认〔2026〕003号")
    found = awards_of(sessions, ssn)
    assert set(found) == {"injury_grant"}
    assert found["injury_grant"].monthly_amount == 16170000


def test_the_average_of_fewer_months_paid(sessions):
    # Only 5 months paid before the injury at 8,000.00: the average of the months paid is
    # 800000 fen (5 × 800000 / 5). Grade 8: grant 11 × 800000 = 8800000 fen.
    ssn, unit = injured(sessions, base=800000, months=5)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕004号", grade=8)
    _disability(sessions, ssn, "杭人社工认〔2026〕004号")
    assert awards_of(sessions, ssn)["injury_grant"].monthly_amount == 8800000


def test_grade_5_ending_employment_the_fund_pays_the_medical_grant_the_employer_the_rest(sessions):
    # 本人工资 800000. Grade 5 grant 18 × 800000 = 14400000 fen. No work arranged: the allowance
    # 70 % × 800000 = 560000 a month is the employer's (第三十六条), no fund award.
    # Ending employment (demo months: medical 6, employment 30): 一次性工伤医疗补助金
    # 6 × 800000 = 4800000 fen from the fund; 一次性伤残就业补助金 30 × 800000 = 24000000 fen
    # stated as the employer's.
    ssn, unit = injured(sessions, base=800000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕005号", grade=5)
    _disability(sessions, ssn, "杭人社工认〔2026〕005号", work_arranged=False)
    found = awards_of(sessions, ssn)
    assert set(found) == {"injury_grant"}
    assert found["injury_grant"].monthly_amount == 14400000
    lines = {x["label"]: x["value"] for x in json.loads(found["injury_grant"].breakdown)["lines"]}
    assert lines["伤残津贴（月，用人单位支付）"] == "5,600.00元"
    take(sessions, "BEN-INJURY-ENDING", ssn, {"decision_number": "杭人社工认〔2026〕005号",
                                              "ended_on": "2026-11-02", "bank_account": BANK})
    ending = awards_of(sessions, ssn)["injury_ending"]
    assert (ending.monthly_amount, _inputs(ending)["employment_grant"]) == (4800000, 24000000)
    payroll(sessions, 202612)
    with sessions() as db:
        assert db.query(Payment).filter(Payment.award_id == ending.id).one().net == 4800000


def test_death_dependants_capped_at_the_wage_and_a_child_stops_at_18(sessions, monkeypatch):
    # 本人工资 500000 (5,000.00). Died 2026-10-05.
    # Funeral 6 × 770000 = 4620000 fen; work-death grant 20 × 5600000 (demo 2026 value of the
    # national urban disposable income) = 112000000 fen; one-off together 116620000.
    # Spouse 40 % = 200000; three children 30 % = 150000 each: 650000 > 500000, so each is
    # reduced in proportion, fen cut off: 200000 × 500000 // 650000 = 153846 and
    # 150000 × 500000 // 650000 = 115384; total 153846 + 3 × 115384 = 499998 ≤ 500000.
    ssn, unit = injured(sessions, base=500000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕006号")
    spouse = relative(sessions, "配偶乙", dt.date(1982, 1, 1))
    teen = relative(sessions, "子女丙", dt.date(2008, 12, 20), "M")  # 18 on 2026-12-20
    young = relative(sessions, "子女丁", dt.date(2015, 6, 1))
    disabled = relative(sessions, "子女戊", dt.date(2007, 2, 1), "M")  # 19, unable to work
    dependants = [{"ssn": spouse, "relationship": "spouse", "bank_account": BANK},
                  {"ssn": teen, "relationship": "child", "bank_account": BANK},
                  {"ssn": young, "relationship": "child", "bank_account": BANK},
                  {"ssn": disabled, "relationship": "child", "unable_to_work": True, "bank_account": BANK}]
    take(sessions, "BEN-INJURY-DEATH", ssn, {"decision_number": "杭人社工认〔2026〕006号",
                                             "death_date": "2026-10-05", "payee_name": "配偶乙",
                                             "bank_account": BANK, "dependants": dependants})
    assert awards_of(sessions, ssn)["injury_death"].monthly_amount == 116620000
    pensions = {s: awards_of(sessions, s)["injury_dependant"] for s in (spouse, teen, young, disabled)}
    assert [pensions[s].monthly_amount for s in (spouse, teen, young, disabled)] == \
        [153846, 115384, 115384, 115384]
    assert {a.start_period for a in pensions.values()} == {202611}
    with sessions() as db:
        assert db.execute(select(Person.status).where(Person.ssn == ssn)).scalar() == "deceased"
    payroll(sessions, 202611, 202612)
    # The teenager turns 18 on 2026-12-20: run on 2026-12-21, his pension stops from 202701
    # (paid 202611 and 202612); the child unable to work goes on.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 21))
    with sessions() as db:
        made = batch.stop_at_age_limit(db, CLERK)
    assert len(made) == 1
    with sessions() as db:
        assert len(batch.stop_at_age_limit(db, CLERK)) == 0  # rerun: nobody twice
    assert awards_of(sessions, teen)["injury_dependant"].status == "stopped"
    assert awards_of(sessions, disabled)["injury_dependant"].status == "active"
    payroll(sessions, 202701)
    with sessions() as db:
        paid = db.execute(select(Payment.period).where(Payment.award_id == pensions[teen].id)
                          .order_by(Payment.period)).scalars().all()
        assert paid == [202611, 202612]


def test_a_spouse_alone_within_the_cap_stops_on_remarriage_and_imprisonment_suspends(sessions):
    # 本人工资 600000: spouse 40 % = 240000; a lone elderly parent 30 % + 10 % = 240000;
    # together 480000 ≤ 600000, no reduction.
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕007号")
    spouse = relative(sessions, "配偶己", dt.date(1981, 1, 1))
    parent = relative(sessions, "父亲庚", dt.date(1950, 1, 1), "M")
    take(sessions, "BEN-INJURY-DEATH", ssn, {
        "decision_number": "杭人社工认〔2026〕007号", "death_date": "2026-10-05", "payee_name": "配偶己",
        "bank_account": BANK,
        "dependants": [{"ssn": spouse, "relationship": "spouse", "bank_account": BANK},
                       {"ssn": parent, "relationship": "parent", "orphan_or_alone": True,
                        "bank_account": BANK}]})
    assert awards_of(sessions, spouse)["injury_dependant"].monthly_amount == 240000
    assert awards_of(sessions, parent)["injury_dependant"].monthly_amount == 240000
    with sessions() as db:
        service.stop_dependant(db, CLERK, spouse, DependantStopIn(reason="remarriage",
                                                                  event_date=dt.date(2026, 11, 8)))
    award = awards_of(sessions, spouse)["injury_dependant"]
    assert award.status == "stopped"
    with sessions() as db:
        stops.record_stop(db, CLERK, parent, StopReportIn(reason="imprisonment",
                                                          event_date=dt.date(2026, 11, 3),
                                                          reporter="relative"))
    assert awards_of(sessions, parent)["injury_dependant"].status == "suspended"


def test_manual_reimbursement_uses_the_shared_split_without_deductible_or_co_payment(sessions):
    # 甲 1,000.00 + 乙 500.00 + 丙 200.00 = 170000 fen. 丙 (outside the injury catalogue) is the
    # person's (20000); 甲 and 乙 are in the catalogue and paid in full, no 乙类 先行自付 for
    # injury (medical.split.fund_category_self_pay_bp, 第三十条; inj11: was 10 % = 5000):
    # within policy 170000 − 20000 = 150000, no deductible and a fund share of 100 %: the
    # fund pays 150000, the person 20000.
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕008号")
    take(sessions, "BEN-INJURY-MEDICAL", ssn, {
        "decision_number": "杭人社工认〔2026〕008号", "invoice_number": "FP20260315001",
        "treated_on": "2026-03-15", "bank_account": BANK,
        "lines": [{"amount": 100000, "category": "甲"}, {"amount": 50000, "category": "乙"},
                  {"amount": 20000, "category": "丙"}]})
    award = awards_of(sessions, ssn)["injury_medical"]
    assert award.monthly_amount == 150000
    split = _inputs(award)["split"]
    assert (split["out_of_scope_fen"], split["first_self_pay_fen"], split["person_fen"]) == \
        (20000, 0, 20000)


def test_device_extension_and_recurrence(sessions):
    # A wheelchair at 1,800.00 over the demo limit 1,500.00: the fund pays 150000 fen.
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕009号")
    take(sessions, "BEN-INJURY-DEVICE", ssn, {"decision_number": "杭人社工认〔2026〕009号",
                                              "confirmation_number": "FJ-2026-01", "device": "wheelchair",
                                              "price": 180000, "bank_account": BANK})
    assert awards_of(sessions, ssn)["injury_device"].monthly_amount == 150000
    # 停工留薪期 to 2026-08-31; extended to 2027-06-30 (within 24 months: up to 2028-03-09).
    take(sessions, "BEN-INJURY-EXTENSION", ssn, {"decision_number": "杭人社工认〔2026〕009号",
                                                 "confirmation_number": "YC-2026-01",
                                                 "leave_until": "2027-06-30"})
    assert _recognition(sessions, "杭人社工认〔2026〕009号").leave_until == dt.date(2027, 6, 30)
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        cases.submit(db, CLERK, "BEN-INJURY-EXTENSION", {"ssn": ssn,
                                                        "decision_number": "杭人社工认〔2026〕009号",
                                                        "confirmation_number": "YC-2026-02",
                                                        "leave_until": "2028-04-01"})
    assert "2028-03-09" in caught.value.message
    take(sessions, "BEN-INJURY-RECURRENCE", ssn, {"decision_number": "杭人社工认〔2026〕009号",
                                                  "confirmation_number": "FF-2026-01",
                                                  "recurred_on": "2026-11-01", "leave_until": "2027-10-31"})
    with sessions() as db:
        kinds = db.execute(select(InjuryEvent.kind).order_by(InjuryEvent.id)).scalars().all()
    assert kinds == ["device", "extension", "recurrence"]


# --- bad input: a clear Chinese error, nothing written -------------------------------------------

def _refused(sessions, item: str, ssn: str, payload: dict) -> str:
    with sessions() as db:
        before = (db.query(Award).count(), db.query(InjuryEvent).count(), db.query(Recognition).count(),
                  db.query(cases.Case).count())
    with sessions() as db, pytest.raises((InvalidInput, Conflict)) as caught:
        cases.submit(db, CLERK, item, {"ssn": ssn, **payload})
    with sessions() as db:
        assert (db.query(Award).count(), db.query(InjuryEvent).count(), db.query(Recognition).count(),
                db.query(cases.Case).count()) == before
    return caught.value.message


def test_an_injury_claim_before_recognition_is_refused(sessions):
    ssn, _ = injured(sessions, base=600000)
    message = _refused(sessions, "BEN-INJURY-DISABILITY", ssn,
                       {"decision_number": "杭人社工认〔2026〕099号", "bank_account": BANK})
    assert "须先由社会保险行政部门认定工伤" in message
    message = _refused(sessions, "BEN-INJURY-MEDICAL", ssn, {
        "decision_number": "杭人社工认〔2026〕099号", "invoice_number": "FP00001", "treated_on": "2026-03-15",
        "bank_account": BANK, "lines": [{"amount": 100, "category": "甲"}]})
    assert "没有文号" in message


def test_a_grade_outside_1_to_10_is_refused(sessions):
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕010号")
    take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn, {"decision_number": "杭人社工认〔2026〕010号",
                                                       "applied_on": "2026-09-01"})
    for grade in (0, 11):
        message = _refused(sessions, "BEN-INJURY-APPRAISAL", ssn, {
            "decision_number": "杭人社工认〔2026〕010号", "conclusion_number": "JD-1",
            "concluded_on": "2026-09-15", "grade": grade})
        assert f"伤残等级应为一级至十级，不能为{grade}" in message
    message = _refused(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": "杭人社工认〔2026〕010号",
                                                                "bank_account": BANK})
    assert "尚无劳动能力鉴定结论" in message


def test_recognition_refusals(sessions):
    ssn, unit = injured(sessions, base=600000)
    uninsured, other = injured(sessions, base=600000, insured=False, name="工伤乙")
    message = _refused(sessions, "BEN-INJURY-RECOGNITION", uninsured,
                       recognition("杭人社工认〔2026〕011号", other))
    assert "未由杭州工伤测试有限公司参加工伤保险" in message
    message = _refused(sessions, "BEN-INJURY-RECOGNITION", ssn,
                       recognition("杭人社工认〔2026〕012号", unit, leave_until="2027-03-10"))
    assert "停工留薪期最长至2027-03-09" in message
    message = _refused(sessions, "BEN-INJURY-RECOGNITION", ssn,
                       recognition("杭人社工认〔2026〕012号", unit, decided_on="2026-03-01"))
    assert "认定决定日期须在受伤日期之后" in message
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕013号")
    message = _refused(sessions, "BEN-INJURY-RECOGNITION", ssn, recognition("杭人社工认〔2026〕013号", unit))
    assert "已登记" in message


def test_grants_are_not_decided_twice_and_an_adult_child_is_refused(sessions):
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕014号", grade=9)
    _disability(sessions, ssn, "杭人社工认〔2026〕014号")
    message = _refused(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": "杭人社工认〔2026〕014号",
                                                                "bank_account": BANK})
    assert "不能重复核定" in message
    message = _refused(sessions, "BEN-INJURY-ENDING", ssn, {"decision_number": "杭人社工认〔2026〕014号",
                                                            "ended_on": "2026-12-30", "bank_account": BANK})
    assert "终止劳动关系日期须在受伤日期之后且不晚于今天" in message
    adult = relative(sessions, "成年子女", dt.date(2000, 1, 1), "M")
    message = _refused(sessions, "BEN-INJURY-DEATH", ssn, {
        "decision_number": "杭人社工认〔2026〕014号", "death_date": "2026-10-05", "payee_name": "某",
        "bank_account": BANK, "dependants": [{"ssn": adult, "relationship": "child", "bank_account": BANK}]})
    assert "已年满18周岁且未完全丧失劳动能力" in message
    with sessions() as db:
        assert db.execute(select(Person.status).where(Person.ssn == ssn)).scalar() == "active"


def test_a_recipients_death_stops_allowance_and_nursing_and_orders_back_the_month_after(sessions):
    # Grade 2, 本人工资 600000: allowance 85 % = 510000; nursing level 2 (大部分不能自理)
    # 40 % × 770000 = 308000. Paid 202610–202612; died 2026-11-10: from 202612 nothing is due,
    # so 510000 + 308000 = 818000 fen paid for 202612 is ordered back (R§46).
    from jingban.benefits.recovery.models import Debt

    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕015号", grade=2, nursing=2)
    _disability(sessions, ssn, "杭人社工认〔2026〕015号")
    found = awards_of(sessions, ssn)
    assert (found["injury_allowance"].monthly_amount, found["injury_nursing"].monthly_amount) == \
        (510000, 308000)
    payroll(sessions, 202610, 202611, 202612)
    with sessions() as db:
        died = StopReportIn(reason="death", event_date=dt.date(2026, 11, 10), reporter="relative")
        report = stops.record_stop(db, CLERK, ssn, died)
        assert (report.awards, report.overpaid) == (2, 818000)
    found = awards_of(sessions, ssn)
    assert found["injury_allowance"].status == found["injury_nursing"].status == "stopped"
    with sessions() as db:
        assert sum(d.principal for d in db.query(Debt).all()) == 818000


def test_retirement_stops_the_allowance_and_the_fund_pays_the_difference(sessions):
    # Grade 1, 本人工资 600000: allowance 540000. A pension of 4,000.00 = 400000 fen from 202701:
    # the allowance stops from 202701 and the fund pays 540000 − 400000 = 140000 a month
    # (第三十五条第二款). A pension above the allowance would leave no difference.
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕016号", grade=1)
    _disability(sessions, ssn, "杭人社工认〔2026〕016号")
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        pension = Award(person_id=person.id, kind="pension_enterprise", status="active", start_period=202701,
                        monthly_amount=400000, decided_on=TODAY, decided_by="test")
        db.add(pension)
        db.flush()
        service.on_pension(db, CLERK, pension)
        db.commit()
    with sessions() as db:
        rows = db.execute(select(Award.status, Award.start_period, Award.monthly_amount).where(
            Award.kind == "injury_allowance").order_by(Award.id)).all()
    assert rows == [("stopped", 202610, 540000), ("active", 202701, 140000)]
