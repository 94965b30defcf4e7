"""Review of issue 11: the worked examples of the other benefits recomputed by hand, through
their case items and the payroll (R§20–§22).

Demo policy: regional average wage 7,700.00 = 770000 fen (policy/330000/injury.yaml), so the
本人工资 floor is 60 % = 462000 and its cap 300 % = 2310000 (《工伤保险条例》第六十四条); grade-5
one-off disability grant 18 months (第三十六条); on ending employment (demo, 浙江办法) the
fund's medical grant 6 months and the employer's employment grant 30 months (第三十七条).
Maternity leave 98 + 15 difficult + 15 per further baby + 60 regional days (《女职工劳动保护
特别规定》第七条; policy/330000/maternity.yaml); allowance = the employer's monthly average wage
of last year / 30 × days (《社会保险法》第五十六条). Employee medical: deductible 800.00 per
admission, the fund 85 % above it, annual cap 400,000.00 = 40000000 fen. Today 2026-11-24.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award, Payment
from jingban.benefits.injury import rules as injury_rules
from jingban.benefits.maternity import service as maternity
from jingban.benefits.maternity.schemas import PregnancyIn
from jingban.benefits.medical.models import ManualClaim
from jingban.core import clock
from jingban.core.errors import InvalidInput
from tests.benefits.injury.helpers import awards_of, injured, recognised, take
from tests.benefits.medical.helpers import BANK, insured, invoice, line, manual
from tests.benefits.stop_helpers import CLERK, TODAY, payroll, through_review


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _inputs(award: Award) -> dict:
    return json.loads(award.breakdown)["inputs"]


def _paid(sessions, award_id: int) -> list[tuple[int, int]]:
    with sessions() as db:
        rows = db.execute(select(Payment.period, Payment.net).where(
            Payment.award_id == award_id, Payment.run_id.is_not(None)))
        return [tuple(r) for r in rows]


# --- work injury: grade 5 ending employment, at the wage floor and at the cap --------------------

@pytest.mark.parametrize(("base", "wage"), [
    (300000, 462000),     # 3,000.00 < 60 % × 7,700.00 = 4,620.00 → the floor
    (3000000, 2310000),   # 30,000.00 > 300 % × 7,700.00 = 23,100.00 → the cap
])
def test_grade_5_ending_employment_grants_on_the_floor_and_cap_wage(sessions, base, wage):
    # Grant 18 × wage; ending: medical 6 × wage (the fund), employment 30 × wage (the employer).
    # floor: 8316000, 2772000, 13860000 fen; cap: 41580000, 13860000, 69300000 fen.
    ssn, unit = injured(sessions, base=base)
    number = f"杭人社工认〔2026〕R5{base}"
    recognised(sessions, ssn, unit, number, grade=5)
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": number, "bank_account": BANK,
                                                  "work_arranged": True})
    take(sessions, "BEN-INJURY-ENDING", ssn, {"decision_number": number, "ended_on": "2026-11-02",
                                              "bank_account": BANK})
    found = awards_of(sessions, ssn)
    assert found["injury_grant"].monthly_amount == 18 * wage
    ending = found["injury_ending"]
    assert (ending.monthly_amount, _inputs(ending)["employment_grant"], _inputs(ending)["own_wage"]) == \
        (6 * wage, 30 * wage, wage)
    assert "injury_allowance" not in found  # grade 5 with work arranged: wages, no allowance
    payroll(sessions, 202612)
    assert _paid(sessions, ending.id) == [(202612, 6 * wage)]
    assert _paid(sessions, found["injury_grant"].id) == [(202612, 18 * wage)]


def test_grades_outside_5_to_10_get_no_ending_grant(sessions):
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, "杭人社工认〔2026〕R41", grade=4)
    with pytest.raises(InvalidInput) as caught:
        take(sessions, "BEN-INJURY-ENDING", ssn, {"decision_number": "杭人社工认〔2026〕R41",
                                                  "ended_on": "2026-11-02", "bank_account": BANK})
    assert (caught.value.code, caught.value.field) == ("injury.ending", "payload.ended_on")
    assert "限五级至十级" in caught.value.message
    assert "injury_ending" not in awards_of(sessions, ssn)


# --- a dependant child's pension ends at 18 (劳社部令第18号 第三条、第四条) --------------------------

@pytest.mark.parametrize(("birth", "day", "first_stopped"), [
    (dt.date(2008, 12, 20), dt.date(2026, 12, 20), 202701),  # paid through the birthday month
    (dt.date(2008, 12, 1), dt.date(2026, 12, 1), 202701),    # born on the 1st: the same month
    (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 202603),    # 《民法典》第二百零一条: month end
])
def test_the_age_limit_day_and_the_first_month_no_longer_due(birth, day, first_stopped):
    # 第四条: 年满18周岁且未完全丧失劳动能力 ends it; the month of the birthday is still due
    # (the stops' rule, effective from the month after the event, R§25 解读).
    from jingban.benefits.stops import rules as stop_rules

    assert injury_rules.age_limit_day(birth, 18) == day
    assert stop_rules.effective_period(day) == first_stopped


# --- maternity: twins, a difficult birth ------------------------------------------------------------

def test_twin_birth_with_a_difficult_delivery(sessions):
    # 2025 maternity bases of her employer: hers 600000 × 12 and a colleague's 800001 × 12 =
    # 16800012 fen over 24 person-months = 700000.5 → 700001 fen (half up).
    # Days: 98 + 15 (difficult) + 15 (one more baby) + 60 (regional) = 188.
    # 700001 × 188 / 30 = 131600188 / 30 = 4386672.93 → 4386673 fen (43,866.73 yuan),
    # paid with the 202612 payroll.
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1))
    with sessions() as db:
        maternity.register_pregnancy(db, CLERK, ssn, PregnancyIn(expected_on=dt.date(2026, 11, 10)))
    case = through_review(sessions, "BEN-MATERNITY", {
        "ssn": ssn, "birth_date": "2026-11-02", "babies": 2, "difficult_birth": True,
        "bank_account": BANK}, ["medical_record"])
    assert case["status"] == "completed", case
    with sessions() as db:
        award = db.execute(select(Award).where(Award.case_id == case["id"])).scalar_one()
        inputs = _inputs(award)
        assert (inputs["average"], inputs["days"], award.monthly_amount) == (700001, 188, 4386673)
        award_id = award.id
    payroll(sessions, 202612)
    payroll(sessions, 202612)  # again: paid once
    assert _paid(sessions, award_id) == [(202612, 4386673)]


# --- medical: a bill crossing the annual cap ----------------------------------------------------------

def _reimbursed(sessions, payload: dict) -> ManualClaim:
    case = through_review(sessions, "BEN-MEDICAL-MANUAL", payload, ["invoices", "diagnosis"])
    assert case["status"] == "completed", case
    with sessions() as db:
        claim = db.execute(select(ManualClaim).where(ManualClaim.case_id == case["id"])).scalar_one()
        db.expunge(claim)
        return claim


def test_two_manual_claims_the_second_crossing_the_annual_cap(sessions):
    # First admission, 甲 470,000.00 = 47000000: (47000000 − 80000) × 85 % = 39882000 fund,
    # person 47000000 − 39882000 = 7118000. Cap left 40000000 − 39882000 = 118000.
    # Second admission, 甲 3,000.00 = 300000: (300000 − 80000) × 85 % = 187000 due, but only
    # 118000 left: fund 118000, over the cap 69000; person 300000 − 118000 = 182000.
    # A third one: the cap is reached, fund 0, the person pays all 100000.
    ssn = insured(sessions)
    first = _reimbursed(sessions, manual(ssn, invoice("ZY-R1", "2026-07-01", [line(47000000)])))
    assert (first.fund_fen, first.person_fen) == (39882000, 7118000)
    second = _reimbursed(sessions, manual(ssn, invoice("ZY-R2", "2026-10-15", [line(300000)])))
    assert second.ytd_before_fen == 39882000
    assert json.loads(second.bills)[0]["split"]["over_cap_fen"] == 69000
    assert (second.fund_fen, second.person_fen) == (118000, 182000)
    third = _reimbursed(sessions, manual(ssn, invoice("ZY-R3", "2026-11-01", [line(100000)])))
    assert (third.fund_fen, third.person_fen) == (0, 100000)
