"""Direct settlement splits each claim by its coverage, with the one function the manual
reimbursement uses (benefits.medical.coverage.split_bill; issue 11 item 1): an outpatient visit
by the general outpatient pooling (or the chronic outpatient parameters for a recognised
disease), an admission by the inpatient parameters (SQLite and PostgreSQL).

Demo values, employee medical insurance (region 330000, policy/330000/medical.yaml and
policy/national/medical*.yaml):
  inpatient   起付线 800.00 per admission, fund 85 % above it, 封顶线 400,000.00 a year;
  outpatient  门诊统筹 yearly 起付线 600.00, fund 50 % above it, at most 2,000.00 a year;
  chronic     门诊慢特病 yearly 起付线 300.00, fund 75 % above it.
The hospital's own price item here: JC900 磁共振检查 1,500.00 (甲, nothing self-paid first).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.agreements.claims import demo, service, settlement
from jingban.agreements.claims.models import Claim
from jingban.agreements.institutions.models import PriceItem
from jingban.benefits.medical.models import ChronicRecognition
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.registration.models import Person
from tests.benefits.medical.helpers import insured, invoice, line, manual, reimbursed
from tests.benefits.stop_helpers import TODAY
from tests.conftest import REGION

PERIOD, FUND = 202610, "medical_employee"
ACC = Actor("cov-acc", frozenset({"accountant"}), False, "counter")
CLERK = Actor("cov-clerk", frozenset({"clerk"}), False, "counter")
REV1 = Actor("cov-rev1", frozenset({"reviewer_1"}), False, "counter")
REV2 = Actor("cov-rev2", frozenset({"reviewer_2"}), False, "counter")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _row(no: str, ssn: str, visit: str, adm: str, dis: str, diagnosis: str = "J06.9") -> str:
    return f"{no},{ssn},{FUND},{visit},{adm},{dis},{diagnosis},JC900,{adm},1,1500.00,1500.00"


def _settled(sessions, rows: list[str]) -> dict[str, dict]:
    """The month's claims uploaded, reviewed and settled through AGR-CLAIM-SETTLE; each claim's
    stored split by its number."""
    with sessions() as db:
        inst = demo.ensure_institution(db, "门诊住院分割演示医院", 31, REGION)
        db.add(PriceItem(institution_id=inst.id, code="JC900", name="磁共振检查", unit="次",
                         unit_price_fen=150000, category="甲", self_pay_bp=0,
                         valid_from=dt.date(2025, 1, 1)))
        db.commit()
        up = service.upload_claims(db, CLERK, inst.id, PERIOD, "coverage.csv",
                                   "\n".join([demo.HEADER, *rows]).encode())
        assert service.problems_of(up) == []
        service.run_review(db, REV1, PERIOD)
        case = settlement.prepare(db, ACC, inst.id, FUND, PERIOD)
        cases.decide(db, REV1, case.id, 1, "approve", "同意")
        cases.decide(db, REV2, case.id, 2, "approve", "同意")
        return {c.claim_no: {**json.loads(c.split), "ytd_before": c.ytd_before_fen}
                for c in db.execute(select(Claim).where(Claim.institution_id == inst.id)).scalars()}


def _ssn_with_e11(sessions) -> str:
    ssn = insured(sessions, name="慢病丙")
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        db.add(ChronicRecognition(person_id=person.id, disease="E11", hospital="杭州市第一人民医院",
                                  diagnosed_on=dt.date(2026, 1, 5), valid_from=dt.date(2026, 1, 6),
                                  valid_to=dt.date(2028, 1, 5), decided_on=dt.date(2026, 1, 6),
                                  decided_by="test"))
        db.commit()
    return ssn


def test_outpatient_and_inpatient_claims_take_their_own_parameters_in_both_channels(sessions):
    ssn = insured(sessions, name="门诊乙")
    chronic = _ssn_with_e11(sessions)
    found = _settled(sessions, [
        _row("O-1", ssn, "outpatient", "2026-10-05", "2026-10-05"),
        _row("I-1", ssn, "inpatient", "2026-10-10", "2026-10-12", "K35.8"),
        _row("C-1", chronic, "outpatient", "2026-10-06", "2026-10-06", "E11.9"),
        _row("P-1", chronic, "outpatient", "2026-10-20", "2026-10-20")])
    # O-1, outpatient, 150000 甲 — the pooling: deductible 60000, above 90000, fund 50 % = 45000,
    # co-pay 45000, person 105000 (the inpatient parameters would have paid 59500).
    o = found["O-1"]
    assert (o["coverage"], o["deductible_fen"], o["fund_fen"], o["co_pay_fen"], o["person_fen"]) == (
        "outpatient", 60000, 45000, 45000, 105000)
    # I-1, an admission, 150000 甲 — inpatient: deductible 80000, above 70000, fund 85 % = 59500,
    # co-pay 10500, person 90500; the year's payments before it: O-1's 45000.
    i = found["I-1"]
    assert (i["coverage"], i["deductible_fen"], i["fund_fen"], i["co_pay_fen"], i["person_fen"],
            i["ytd_before"]) == ("inpatient", 80000, 59500, 10500, 90500, 45000)
    # C-1, outpatient for E11 recognised — chronic: deductible 30000, above 120000, fund 75 % =
    # 90000, co-pay 30000, person 60000.
    c = found["C-1"]
    assert (c["coverage"], c["deductible_fen"], c["fund_fen"], c["co_pay_fen"]) == (
        "chronic", 30000, 90000, 30000)
    # P-1, the same person's ordinary visit (J06.9) — the pooling, its own yearly deductible
    # untouched by the chronic one: deductible 60000, fund 45000.
    p = found["P-1"]
    assert (p["coverage"], p["deductible_fen"], p["fund_fen"]) == ("outpatient", 60000, 45000)
    # Manual reimbursement of an outpatient invoice 2026-11-02, 甲 600.00, by the same function:
    # the pooling's yearly deductible is borne already by O-1 (60000 of 60000): above 60000,
    # fund 50 % = 30000, person 30000; the year paid before it 45000 + 59500 = 104500.
    claim = reimbursed(sessions, manual(ssn, invoice("MZ-901", "2026-11-02", [line(60000)],
                                                     inpatient=False, diagnosis="J06.9")))
    bill = json.loads(claim.bills)[0]
    assert (bill["coverage"], bill["split"]["deductible_fen"], bill["split"]["fund_fen"]) == (
        "outpatient", 0, 30000)
    assert (claim.ytd_before_fen, claim.fund_fen, claim.person_fen) == (104500, 30000, 30000)


def test_the_pooling_limit_spans_direct_and_manual_outpatient_care(sessions):
    ssn = insured(sessions, name="门诊丁")
    # Manual first, 2026-09-01, 甲 3,800.00 outpatient: deductible 60000, above 320000, fund 50 %
    # = 160000 (under the 200000 limit), person 220000.
    first = reimbursed(sessions, manual(ssn, invoice("MZ-902", "2026-09-01", [line(380000)],
                                                     inpatient=False, diagnosis="J06.9")))
    assert first.fund_fen == 160000
    # Then the hospital's outpatient claim O-2 in October, 150000 甲: the yearly deductible is
    # borne, due 150000 × 50 % = 75000, the limit leaves 200000 − 160000 = 40000: fund 40000,
    # over the limit 35000, person 110000.
    o = _settled(sessions, [_row("O-2", ssn, "outpatient", "2026-10-08", "2026-10-08")])["O-2"]
    assert (o["coverage"], o["deductible_fen"], o["fund_fen"], o["over_cap_fen"], o["person_fen"]) == (
        "outpatient", 0, 40000, 35000, 110000)


def test_an_outpatient_claim_split_again_after_an_objection_keeps_one_yearly_deductible(sessions):
    from jingban.agreements.claims.models import ClaimAdjustment, ClaimSettlement
    from jingban.registration.models import Employer

    ssn = insured(sessions, name="门诊戊")
    # O-3 billed at 1,600.00 against the price 1,500.00: the review cuts 100.00 (over price).
    # Settlement 1: accepted 150000 — pooling deductible 60000, above 90000, fund 45000.
    row = _row("O-3", ssn, "outpatient", "2026-10-13", "2026-10-13").replace("1500.00,1500.00",
                                                                           "1600.00,1600.00")
    first = _settled_with_cut(sessions, row)
    assert (first["coverage"], first["deductible_fen"], first["fund_fen"]) == ("outpatient", 60000, 45000)
    with sessions() as db:
        settled = db.execute(select(ClaimSettlement)).scalar_one()
        inst = db.get(ClaimSettlement, settled.id).institution_id
        unit = db.execute(select(Employer).where(Employer.uscc == demo.ensure_institution(
            db, "门诊住院分割演示医院", 31, REGION).uscc)).scalar_one()
        hospital = Actor("cov-inst", frozenset({"employer"}), False, "web", subject=f"employer:{unit.id}")
        cut = settlement.cut_lines(db, settled.id)[0]
        objection = settlement.object_to(db, hospital, settled.id, [cut["line_id"]], "价格已调整")
        cases.decide(db, REV1, objection.id, 1, "approve", "同意")
        cases.decide(db, REV2, objection.id, 2, "approve", "同意")
        case = settlement.prepare(db, ACC, inst, FUND, PERIOD, supplementary=True)
        cases.decide(db, REV1, case.id, 1, "approve", "同意")
        cases.decide(db, REV2, case.id, 2, "approve", "同意")
        # Settlement 2 re-splits O-3 at 160000 by the same pooling, its own earlier bill not
        # counted as borne: deductible 60000, above 100000, fund 50000 — 5000 more (counting
        # it twice would have left no deductible: fund 80000, 35000 more).
        [adjustment] = db.execute(select(ClaimAdjustment)).scalars()
        again = json.loads(adjustment.split)
        assert (again["coverage"], again["deductible_fen"], again["fund_fen"], adjustment.fund_fen) == (
            "outpatient", 60000, 50000, 5000)


def _settled_with_cut(sessions, row: str) -> dict:
    """One claim uploaded, its flagged line cut by what the review suggests, and settled."""
    with sessions() as db:
        inst = demo.ensure_institution(db, "门诊住院分割演示医院", 31, REGION)
        db.add(PriceItem(institution_id=inst.id, code="JC900", name="磁共振检查", unit="次",
                         unit_price_fen=150000, category="甲", self_pay_bp=0,
                         valid_from=dt.date(2025, 1, 1)))
        db.commit()
        up = service.upload_claims(db, CLERK, inst.id, PERIOD, "cut.csv",
                                   "\n".join([demo.HEADER, row]).encode())
        assert service.problems_of(up) == []
        service.run_review(db, REV1, PERIOD)
        [flag] = service.flagged(db, REV1, PERIOD, institution_id=inst.id)
        assert flag["suggested_cut_fen"] == 10000
        service.decide_line(db, REV1, flag["line_id"], "cut", 10000, "超过协议价格")
        case = settlement.prepare(db, ACC, inst.id, FUND, PERIOD)
        cases.decide(db, REV1, case.id, 1, "approve", "同意")
        cases.decide(db, REV2, case.id, 2, "approve", "同意")
        return json.loads(db.execute(select(Claim.split).where(Claim.institution_id == inst.id)).scalar_one())
