"""Manual reimbursement under the claim review of direct settlement (issue 13 point 6): the Z-6
rules flag the invoice lines of a contracted institution against its price list, the reviewer
decides each flagged line with a reason before final approval, the shared split takes the
accepted amounts, and one annual cap spans the direct settlement and the manual claim.

Demo policy, employee medical insurance: 起付线 800.00 = 80000 fen per admission, the fund pays
85 % above it, annual cap 400,000.00 = 40000000 fen. Today 2026-11-24.

Price list of 杭州市第一人民医院 from 2026-01-01: ZL001 治疗费 1,000.00 (100000 fen) 甲;
YP001 药品 50.00 (5000 fen) 甲, at most 2 a day.
Direct settlement in June: the fund paid 399,900.00 = 39990000 fen, leaving 10000 of the cap.
Invoice ZY-401 (admission, 2026-10-08):
  1. ZL001 × 1 at 1,200.00 = 120000: above the agreed price (over_price, suggested cut 20000);
     the reviewer cuts 20000 → 100000 accepted.
  2. XX999 × 1 = 300.00 = 30000: not on the price list (not_listed); the reviewer refuses → 0.
  3. YP001 × 2 at 50.00 = 10000: no flag.
  Accepted 110000, all 甲: deductible 80000; above 30000; fund due 30000 × 85 % = 25500; the cap
  leaves 10000: fund 10000, over the cap 15500; person 110000 − 10000 = 100000.
A second manual claim the same year (甲 1,000.00 without institution): the cap is reached once,
the fund pays 0.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.agreements.claims.models import Claim, ClaimUpload
from jingban.agreements.institutions.models import Institution, PriceItem
from jingban.benefits.medical import service as medical
from jingban.benefits.medical.models import ManualClaim, ManualLine
from jingban.benefits.medical.schemas import LineDecisionIn
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.errors import Conflict, InvalidInput
from jingban.registration.models import Person
from tests.benefits.medical.helpers import insured, invoice, line, manual
from tests.benefits.stop_helpers import CLERK, REVIEWERS, TODAY, through_review
from tests.conftest import uscc
from tests.web.helpers import approve, post, sign_in

HOSPITAL = "杭州市第一人民医院"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _contracted_and_settled(sessions, ssn: str) -> str:
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        unit = Institution(uscc=uscc(), name=HOSPITAL, kind="hospital")
        db.add(unit)
        db.flush()
        db.add_all([PriceItem(institution_id=unit.id, code="ZL001", name="治疗费", unit_price_fen=100000,
                              category="甲", valid_from=dt.date(2026, 1, 1)),
                    PriceItem(institution_id=unit.id, code="YP001", name="药品", unit_price_fen=5000,
                              category="甲", daily_limit=2, valid_from=dt.date(2026, 1, 1))])
        upload = ClaimUpload(institution_id=unit.id, period=202606, filename="202606.csv",
                             encoding="utf-8", digest="f" * 64, raw="", received_by="test")
        db.add(upload)
        db.flush()
        db.add(Claim(upload_id=upload.id, institution_id=unit.id, period=202606, claim_no="D-401",
                     person_id=person.id, fund="medical_employee", inpatient=True,
                     admission_on=dt.date(2026, 6, 1), discharge_on=dt.date(2026, 6, 30),
                     diagnosis="C34", total_fen=50000000, raw="", status="settled",
                     fund_fen=39990000, person_fen=50000000 - 39990000))
        db.commit()
        return unit.uscc


def _coded(code: str, quantity: int, amount: int, item: str) -> dict:
    return {**line(amount, item=item), "code": code, "quantity": quantity}


def _taken_in(db, payload: dict):
    return cases.submit(db, CLERK, "BEN-MEDICAL-MANUAL", payload, provided=["invoices", "diagnosis"])


def _decision(line_no: int, decision: str) -> LineDecisionIn:
    return LineDecisionIn(invoice_no="ZY-401", line_no=line_no, decision=decision)


def test_flagged_lines_are_decided_by_the_reviewer_and_the_cap_is_reached_once(sessions):
    ssn = insured(sessions)
    unit = _contracted_and_settled(sessions, ssn)
    bill = invoice("ZY-401", "2026-10-08", [_coded("ZL001", 1, 120000, "治疗费"),
                                            _coded("XX999", 1, 30000, "自立项目"),
                                            _coded("YP001", 2, 10000, "药品")], hospital=HOSPITAL)
    payload = manual(ssn, {**bill, "institution_uscc": unit})
    with sessions() as db:
        case_id = _taken_in(db, payload).id
    with sessions() as db:
        flagged = medical.pending_flags(db, CLERK, case_id)
    assert [(f["line_no"], [x["rule"] for x in f["flags"]], f["flags"][0]["cut_fen"]) for f in flagged] == [
        (1, ["over_price"], 20000), (2, ["not_listed"], 30000)]
    # Final approval waits for the reviewer's decision on every flagged line.
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        cases.decide(db, REVIEWERS[0], case_id, 1, "approve", "核实无误")
    assert caught.value.code == "medical.undecided" and "票据ZY-401第1条" in caught.value.message
    with sessions() as db:
        # A refusal needs a reason; an unflagged line needs no decision.
        for bad, code in ((_decision(2, "refuse"), "medical.decision"),
                          (_decision(3, "accept"), "medical.not_flagged")):
            with pytest.raises((InvalidInput, Conflict)) as refused:
                medical.decide_line(db, REVIEWERS[0], case_id, bad)
            assert refused.value.code == code
        medical.decide_line(db, REVIEWERS[0], case_id, LineDecisionIn(
            invoice_no="ZY-401", line_no=1, decision="cut", cut_fen=20000, reason="超出协议价格部分核减"))
        medical.decide_line(db, REVIEWERS[0], case_id, LineDecisionIn(
            invoice_no="ZY-401", line_no=2, decision="refuse", reason="不在协议价格目录内"))
    with sessions() as db:
        cases.decide(db, REVIEWERS[0], case_id, 1, "approve", "核实无误")
    with sessions() as db:
        claim = db.execute(select(ManualClaim).where(ManualClaim.case_id == case_id)).scalar_one()
        split = json.loads(claim.bills)[0]["split"]
        assert (split["total_fen"], split["deductible_fen"], split["over_cap_fen"]) == (110000, 80000, 15500)
        assert (claim.ytd_before_fen, claim.fund_fen, claim.person_fen) == (39990000, 10000, 100000)
        lines = db.execute(select(ManualLine).where(ManualLine.claim_id == claim.id)
                           .order_by(ManualLine.id)).scalars().all()
        assert [(x.decision, x.cut_fen, x.reason) for x in lines] == [
            ("cut", 20000, "超出协议价格部分核减"), ("refuse", 30000, "不在协议价格目录内"), (None, 0, None)]
        assert json.loads(lines[0].flags)[0]["rule"] == "over_price" and json.loads(lines[2].flags) == []
    second = through_review(sessions, "BEN-MEDICAL-MANUAL", manual(ssn, invoice(
        "ZY-402", "2026-11-02", [line(100000)])), ["invoices", "diagnosis"])
    with sessions() as db:
        claim = db.execute(select(ManualClaim).where(ManualClaim.case_id == second["id"])).scalar_one()
        assert (claim.ytd_before_fen, claim.fund_fen) == (40000000, 0)
        year = medical.record_of(db, CLERK, ssn)["years"][0]
    assert (year["direct"], year["paid"], year["left"]) == (39990000, 40000000, 0)


def test_an_unknown_institution_on_an_invoice_is_refused(sessions):
    ssn = insured(sessions)
    payload = manual(ssn, {**invoice("ZY-501", "2026-10-08", [line(1000)]), "institution_uscc": uscc()})
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        _taken_in(db, payload)
    assert (caught.value.code, caught.value.field) == ("medical.institution", "payload.invoices")


def test_the_reviewer_decides_a_flagged_line_on_the_page(sessions, client, make_user):
    # ZY-601 at the contracted hospital: ZL001 at 1,200.00 (over_price, suggested cut 200.00).
    # The reviewer cuts 200.00: accepted 100000; deductible 80000; above 20000; fund 85 % = 17000,
    # within the 10000 left of the cap: fund 10000.
    make_user("rev-page", "reviewer_1")
    ssn = insured(sessions)
    unit = _contracted_and_settled(sessions, ssn)
    bill = invoice("ZY-601", "2026-10-08", [_coded("ZL001", 1, 120000, "治疗费")], hospital=HOSPITAL)
    with sessions() as db:
        case_id = _taken_in(db, manual(ssn, {**bill, "institution_uscc": unit})).id
    token = sign_in(client, "rev-page")
    assert f'href="/benefits/medical/cases/{case_id}/review"' in client.get(f"/cases/{case_id}").text
    page = client.get(f"/benefits/medical/cases/{case_id}/review").text
    assert 'id="flag-ZY-601-1"' in page and "单价高于协议价格" in page and "200.00" in page
    form = {"invoice_no": "ZY-601", "line_no": "1", "decision": "cut", "cut": "200.00", "reason": ""}
    refused = post(client, f"/benefits/medical/cases/{case_id}/lines", token, form)
    assert refused.status_code == 422 and "须写明理由" in refused.text
    saved = post(client, f"/benefits/medical/cases/{case_id}/lines", token,
                 {**form, "reason": "超出协议价格部分核减"}, follow_redirects=False)
    assert saved.status_code == 303
    assert "超出协议价格部分核减" in client.get(f"/benefits/medical/cases/{case_id}/review").text
    assert approve(client, "rev-page", case_id, 1).status_code in (200, 303)
    with sessions() as db:
        claim = db.execute(select(ManualClaim).where(ManualClaim.case_id == case_id)).scalar_one()
        assert (claim.total_fen, claim.fund_fen) == (100000, 10000)
