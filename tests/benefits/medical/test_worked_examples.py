"""Worked examples computed by hand, to the fen: medical manual reimbursement (a deductible
crossing, a category split, the annual cap reached across a direct settlement and a manual
claim, a chronic outpatient disease with its yearly deductible) and the maternity allowance
(a difficult twin birth, a single birth), each paid by the payroll and booked.

Demo policy (policy/national/medical.yaml, medical_benefits.yaml, maternity.yaml,
policy/330000/maternity.yaml), employee medical insurance:
- 起付线 800.00 per admission = 80000 fen; above it the fund pays 85 %; annual cap
  400,000.00 = 40000000 fen; 乙类 self-paid first at 10 %; 丙类 wholly the person's.
- 门诊慢特病: yearly deductible 300.00 = 30000 fen, the fund pays 75 %.
- 门诊统筹 (policy/330000/medical.yaml, demo): yearly deductible 600.00 = 60000 fen, the fund
  pays 50 %, at most 2,000.00 = 200000 fen a year.
- 产假 98 days, +15 difficult birth, +15 each further baby, +60 regional (from 2021-11-25);
  allowance = employer's monthly average wage of last year / 30 × days.
Today is 2026-11-24: the decisions are paid with the 2026-12 payroll.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.agreements.claims import settlement
from jingban.agreements.claims.models import Claim, ClaimLine, ClaimUpload
from jingban.agreements.institutions.models import Institution, PriceItem
from jingban.benefits.common.models import Award, Payment
from jingban.benefits.maternity import service as maternity
from jingban.benefits.medical import service as medical
from jingban.benefits.medical.models import ManualClaim
from jingban.core import clock
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.registration.models import Person
from tests.benefits.medical.helpers import BANK, insured, invoice, line, manual, reimbursed
from tests.benefits.stop_helpers import CLERK, TODAY, payroll, through_review
from tests.conftest import uscc


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _bills(claim: ManualClaim) -> list[dict]:
    return [b["split"] for b in json.loads(claim.bills)]


def _expense(sessions, fund: str) -> int:
    with sessions() as db:
        return sum(db.execute(select(JournalLine.debit).join(JournalEntry).where(
            JournalEntry.source.like("payroll:%"), JournalEntry.fund == fund,
            JournalLine.account == 5001)).scalars())


def test_deductible_crossing_paid_by_the_payroll_and_booked(sessions):
    ssn = insured(sessions)
    # One admission, 甲类 3,000.00 = 300000: all within policy.
    # deductible 80000 (the person's); above 300000 − 80000 = 220000;
    # fund 220000 × 85 % = 187000; co-pay 220000 − 187000 = 33000;
    # person 80000 + 33000 = 113000.
    claim = reimbursed(sessions, manual(ssn, invoice("ZY-001", "2026-10-08", [line(300000)])))
    assert _bills(claim) == [{"total_fen": 300000, "out_of_scope_fen": 0, "first_self_pay_fen": 0,
                              "in_policy_fen": 300000, "deductible_fen": 80000, "co_pay_fen": 33000,
                              "over_cap_fen": 0, "fund_fen": 187000, "person_fen": 113000}]
    assert (claim.fund, claim.fund_fen, claim.person_fen) == ("medical_employee", 187000, 113000)
    with sessions() as db:
        award = db.get(Award, claim.award_id)
        assert (award.kind, award.status, award.start_period) == ("reimburse_employee", "stopped", 202612)
        payment = db.execute(select(Payment).where(Payment.award_id == award.id)).scalar_one()
        assert (payment.net, payment.run_id) == (187000, None)
    payroll(sessions, 202612)
    assert _expense(sessions, "medical_employee") == 187000
    with sessions() as db:
        document = medical.decision_pdf(db, CLERK, claim.id)
    assert document.startswith(b"%PDF")


def test_category_split_and_the_next_admission_counts_the_year(sessions):
    ssn = insured(sessions)
    # 甲 2,000.00 + 乙 1,000.00 (10 % first self-paid) + 丙 500.00:
    # total 350000; out of scope (丙) 50000; 乙 first self-pay 100000 × 10 % = 10000;
    # in policy 200000 + 90000 = 290000; deductible 80000; above 210000;
    # fund 210000 × 85 % = 178500; co-pay 31500; person 350000 − 178500 = 171500.
    claim = reimbursed(sessions, manual(ssn, invoice("ZY-010", "2026-09-01", [
        line(200000), line(100000, "乙", "头孢类药品"), line(50000, "丙", "单人病房差价")])))
    assert _bills(claim)[0] == {"total_fen": 350000, "out_of_scope_fen": 50000,
                                "first_self_pay_fen": 10000, "in_policy_fen": 290000,
                                "deductible_fen": 80000, "co_pay_fen": 31500, "over_cap_fen": 0,
                                "fund_fen": 178500, "person_fen": 171500}
    # A second claim: the fund's 178500 of this year is counted before it.
    # 乙 with its own share 20 % on 500.00: first self 10000, in policy 40000 < deductible:
    # fund 0, person 50000.
    second = reimbursed(sessions, manual(ssn, invoice("ZY-011", "2026-10-01", [
        line(50000, "乙", "进口耗材", share=2000)])))
    assert second.ytd_before_fen == 178500
    assert (second.fund_fen, second.person_fen, second.award_id) == (0, 50000, None)


def _settled_direct(db, person_id: int, fund_fen: int) -> Institution:
    """A direct settlement earlier this year: the fund paid ``fund_fen`` for the person."""
    unit = Institution(uscc=uscc(), name="浙江省人民医院", kind="hospital")
    db.add(unit)
    db.flush()
    db.add(PriceItem(institution_id=unit.id, code="ZL001", name="治疗费", unit_price_fen=100000,
                     category="甲", valid_from=dt.date(2026, 1, 1)))
    upload = ClaimUpload(institution_id=unit.id, period=202606, filename="202606.csv",
                         encoding="utf-8", digest="d" * 64, raw="", received_by="test")
    db.add(upload)
    db.flush()
    db.add(Claim(upload_id=upload.id, institution_id=unit.id, period=202606, claim_no="D-1",
                 person_id=person_id, fund="medical_employee", inpatient=True,
                 admission_on=dt.date(2026, 6, 1), discharge_on=dt.date(2026, 6, 30),
                 diagnosis="C34", total_fen=50000000, raw="", status="settled",
                 fund_fen=fund_fen, person_fen=50000000 - fund_fen))
    db.flush()
    return unit


def test_annual_cap_reached_across_a_direct_settlement_and_a_manual_claim(sessions):
    ssn = insured(sessions)
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        unit = _settled_direct(db, person.id, 39900000)
        unit_id, person_id = unit.id, person.id
        db.commit()
    # Direct settlement in June: the fund paid 399,000.00 = 39900000; cap 40000000 leaves 100000.
    # Manual claim, 甲 3,000.00: deductible 80000, above 220000, fund due 187000;
    # the cap leaves 100000, so fund 100000 and over the cap 87000;
    # person 80000 + 33000 + 87000 = 200000.
    claim = reimbursed(sessions, manual(ssn, invoice("ZY-020", "2026-10-15", [line(300000)])))
    assert claim.ytd_before_fen == 39900000
    assert _bills(claim)[0]["over_cap_fen"] == 87000
    assert (claim.fund_fen, claim.person_fen) == (100000, 200000)
    # The other way round: a direct claim settled after it sees the manual 100000 too.
    # 甲 1,000.00: deductible 80000, above 20000, fund due 17000; cap left 0: fund 0.
    with sessions() as db:
        upload = ClaimUpload(institution_id=unit_id, period=202611, filename="202611.csv",
                             encoding="utf-8", digest="e" * 64, raw="", received_by="test")
        db.add(upload)
        db.flush()
        later = Claim(upload_id=upload.id, institution_id=unit_id, period=202611, claim_no="D-2",
                      person_id=person_id, fund="medical_employee", inpatient=True,
                      admission_on=dt.date(2026, 11, 2), discharge_on=dt.date(2026, 11, 5),
                      diagnosis="C34", total_fen=100000, raw="")
        db.add(later)
        db.flush()
        db.add(ClaimLine(claim_id=later.id, line_no=1, code="ZL001", service_on=dt.date(2026, 11, 3),
                         quantity=1, unit_price_fen=100000, amount_fen=100000))
        db.commit()
        computed = settlement.compute(db, unit_id, "medical_employee", 202611)
    only = computed.claims[0]
    assert only.ytd_before_fen == 40000000
    assert (only.split.fund_fen, only.split.over_cap_fen) == (0, 17000)
    with sessions() as db:
        record = medical.record_of(db, CLERK, ssn)
    year = record["years"][0]
    assert (year["direct"], year["paid"], year["left"]) == (39900000, 40000000, 0)


def test_chronic_recognition_changes_what_outpatient_claims_cover(sessions):
    ssn = insured(sessions)
    # Before recognition: an outpatient bill for diabetes (E11.9) 甲 500.00 is ordinary
    # outpatient care under the region's outpatient pooling (yearly deductible 600.00):
    # all 50000 under the deductible, fund 0.
    before = reimbursed(sessions, manual(ssn, invoice(
        "MZ-001", "2026-11-20", [line(50000, item="二甲双胍")], inpatient=False, diagnosis="E11.9")))
    assert json.loads(before.bills)[0]["coverage"] == "outpatient"
    assert _bills(before)[0]["deductible_fen"] == 50000 and before.fund_fen == 0
    case = through_review(sessions, "BEN-MEDICAL-CHRONIC",
                          {"ssn": ssn, "disease": "E11", "hospital": "杭州市第一人民医院",
                           "diagnosed_on": "2026-11-10"}, ["diagnosis"])
    assert case["status"] == "completed"
    # Recognised from 2026-11-24 for 24 months (to 2028-11-23).
    # First chronic bill 甲 500.00: yearly deductible 30000; above 20000; fund 75 % = 15000;
    # co-pay 5000; person 35000.
    first = reimbursed(sessions, manual(ssn, invoice(
        "MZ-002", "2026-11-24", [line(50000, item="二甲双胍")], inpatient=False, diagnosis="E11.9")))
    assert _bills(first)[0]["deductible_fen"] == 30000
    assert (first.fund_fen, first.chronic_deductible_fen) == (15000, 30000)
    # Second chronic bill 甲 400.00 the same year: the deductible is borne already (30000 of
    # 30000): deductible 0; fund 40000 × 75 % = 30000; co-pay 10000.
    second = reimbursed(sessions, manual(ssn, invoice(
        "MZ-003", "2026-11-24", [line(40000, item="胰岛素")], inpatient=False, diagnosis="E11")))
    assert _bills(second)[0]["deductible_fen"] == 0
    assert (second.fund_fen, second.person_fen) == (30000, 10000)
    with sessions() as db:
        record = medical.record_of(db, CLERK, ssn)
    assert [(c.disease, str(c.valid_to)) for c, _ in record["chronic"]] == [("E11", "2028-11-23")]


def _register(sessions, ssn: str, expected: str = "2026-10-25") -> None:
    from jingban.benefits.maternity.schemas import PregnancyIn

    with sessions() as db:
        maternity.register_pregnancy(db, CLERK, ssn, PregnancyIn(expected_on=dt.date.fromisoformat(expected)))


def _allowance(sessions, ssn: str, **claim) -> Award:
    payload = {"ssn": ssn, "birth_date": "2026-10-20", "bank_account": BANK, **claim}
    case = through_review(sessions, "BEN-MATERNITY", payload, ["medical_record"])
    assert case["status"] == "completed", case
    with sessions() as db:
        award = db.execute(select(Award).where(Award.case_id == case["id"])).scalar_one()
        db.expunge(award)
        return award


def test_maternity_allowance_difficult_twin_birth(sessions):
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1))
    _register(sessions, ssn)
    # Employer's 2025 maternity contribution wages: 600000 × 12 + 800001 × 12 = 16800012 fen
    # over 24 person-months = 700000.5 → 700001 fen a month (half-up).
    # Days: 98 + 15 (difficult) + 15 (a second baby) + 60 (regional, birth after 2021-11-25) = 188.
    # Allowance 700001 / 30 × 188 = 131600188 / 30 = 4386672.93… → 4386673 fen (43,866.73 yuan).
    award = _allowance(sessions, ssn, babies=2, difficult_birth=True)
    inputs = json.loads(award.breakdown)["inputs"]
    assert (inputs["bases"], inputs["person_months"], inputs["average"]) == (16800012, 24, 700001)
    assert inputs["days"] == 188 and award.monthly_amount == 4386673
    assert (award.kind, award.start_period) == ("maternity", 202612)
    payroll(sessions, 202612)
    assert _expense(sessions, "maternity") == 4386673
    # The pregnancy is closed: a second claim for it is refused.
    with sessions() as db:
        assert maternity.preview(db, CLERK, ssn, dt.date(2026, 10, 20)).eligible is False


def test_maternity_allowance_single_birth_and_the_estimate_before_applying(sessions):
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1), colleague_base=900000)
    _register(sessions, ssn)
    # Average (7200000 + 10800000) / 24 = 750000; days 98 + 60 = 158;
    # 750000 / 30 × 158 = 25000 × 158 = 3950000 fen (39,500.00 yuan).
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        own = CLERK.__class__("self", frozenset({"person"}), False, "web", subject=f"person:{person.id}")
        estimate = maternity.preview(db, own, ssn)
    assert (estimate.eligible, estimate.days, estimate.amount) == (True, 158, "39500.00")
    award = _allowance(sessions, ssn)
    assert award.monthly_amount == 3950000


def test_maternity_medical_costs_through_the_medical_split(sessions):
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1))
    _register(sessions, ssn)
    # Maternity fund (policy medical.split.*: deductible 0, fund share 100 %):
    # 甲 4,000.00 + 乙 1,000.00 (10 % first self-paid = 10000) + 丙 200.00:
    # total 520000; out of scope 20000; in policy 400000 + 90000 = 490000; deductible 0;
    # fund 490000 × 100 % = 490000; person 20000 + 10000 = 30000.
    claim = reimbursed(sessions, manual(ssn, invoice("CK-001", "2026-10-20", [
        line(400000, item="分娩费"), line(100000, "乙", "缩宫素"), line(20000, "丙", "产后康复")],
        diagnosis="O80"), purpose="maternity"))
    assert _bills(claim)[0]["deductible_fen"] == 0
    assert (claim.fund, claim.fund_fen, claim.person_fen) == ("maternity", 490000, 30000)
    payroll(sessions, 202612)
    assert _expense(sessions, "maternity") == 490000
