"""Decisions, the monthly settlement through its case, the ledger, withholding, the portal view
and the institution's objection (SQLite and PG)."""

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.agreements.breaches.models import BreachMeasure
from jingban.agreements.claims import demo, service, settlement
from jingban.agreements.claims.models import Claim, ClaimSettlement
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput
from jingban.funds.ledger.models import JournalEntry
from jingban.registration.models import Employer

PERIOD = 202610
ACC = Actor("acc1", frozenset({"accountant"}), False, "counter")
REV1 = Actor("rev1", frozenset({"reviewer_1"}), False, "counter")
REV2 = Actor("rev2", frozenset({"reviewer_2"}), False, "counter")


def decide_all(db, institution_id):
    for row in service.flagged(db, REV1, PERIOD, institution_id=institution_id, undecided=True):
        if row["claim_no"] == "A-OVERPRICE":
            service.decide_line(db, REV1, row["line_id"], "cut", row["suggested_cut_fen"], "超过协议价格")
        elif row["suggested_cut_fen"]:
            service.decide_line(db, REV1, row["line_id"], "refuse", None, "违规收费")
        else:
            service.decide_line(db, REV1, row["line_id"], "accept", None, "")


def approve(db, case):
    cases.decide(db, REV1, case.id, 1, "approve", "同意")
    return cases.decide(db, REV2, case.id, 2, "approve", "同意")


def portal_actor(db, institution):
    unit = db.execute(select(Employer).where(Employer.uscc == institution.uscc)).scalar()
    return Actor("inst", frozenset({"employer"}), False, "web", subject=f"employer:{unit.id}")


def test_settlement_needs_decisions_then_is_booked_and_seen_by_the_institution(db):
    seeded = demo.seed(db, period=PERIOD)
    a = seeded.institutions[0]
    with pytest.raises(Conflict) as caught:
        settlement.prepare(db, ACC, a.id, "medical_employee", PERIOD)
    assert caught.value.code == "claims.undecided"
    with pytest.raises(InvalidInput):
        row = service.flagged(db, REV1, PERIOD, institution_id=a.id)[0]
        service.decide_line(db, REV1, row["line_id"], "cut", None, "")
    decide_all(db, a.id)
    case = settlement.prepare(db, ACC, a.id, "medical_employee", PERIOD)
    preview = settlement.compute(db, a.id, "medical_employee", PERIOD)
    approve(db, case)
    row = db.execute(select(ClaimSettlement)).scalar()
    assert row.status == "paid" and row.fund_fen == preview.fund_fen > 0
    assert row.accepted_fen == row.claimed_fen - row.cut_fen
    entry = db.get(JournalEntry, row.entry_id)
    assert entry.source == f"claims-settlement:{row.id}" and entry.amount == 2 * row.fund_fen
    clean = db.execute(select(Claim).where(Claim.claim_no == "A-CLEAN-1")).scalar()
    # A-CLEAN-1: 3 days bed 50.00 + 诊查 20.00, 奥美拉唑 2 × 80.00 (乙, 10% self) = 370.00;
    # in policy 370.00 − 16.00 = 354.00 < 800.00 deductible: the fund pays nothing
    assert clean.status == "settled" and json.loads(clean.split)["fund_fen"] == 0
    view = settlement.portal(db, portal_actor(db, a))
    cuts = view["settlements"][0]["cuts"]
    assert {c["claim_no"] for c in cuts} >= {"A-OVERPRICE", "A-NOTLISTED", "A-DEAD"}
    assert all(c["reason"] for c in cuts)
    with pytest.raises(Conflict):
        service.decide_line(db, REV1, cuts[0]["line_id"], "accept", None, "")


def test_withheld_then_released_and_an_upheld_objection_pays_the_difference(db):
    seeded = demo.seed(db, period=PERIOD)
    a = seeded.institutions[0]
    decide_all(db, a.id)
    today = clock.today()  # the measure withholds what is paid today, whatever day the suite runs
    measure = BreachMeasure(institution_id=a.id, agreement_id=1, measure="withhold", facts="演示",
                            status="decided", noticed_on=today - dt.timedelta(days=20),
                            statement_due=today - dt.timedelta(days=10),
                            period_from=today - dt.timedelta(days=20),
                            period_to=today + dt.timedelta(days=10), created_by="test")
    db.add(measure)
    db.commit()
    approve(db, settlement.prepare(db, ACC, a.id, "medical_employee", PERIOD))
    row = db.execute(select(ClaimSettlement)).scalar()
    assert row.status == "withheld" and row.entry_id is None
    with pytest.raises(Conflict):
        settlement.release(db, ACC, row.id)
    measure.period_to = today - dt.timedelta(days=1)
    db.commit()
    assert settlement.release(db, ACC, row.id).status == "paid"
    inst = portal_actor(db, a)
    cut = next(c for c in settlement.cut_lines(db, row.id) if c["claim_no"] == "A-OVERPRICE")
    before = row.fund_fen
    objection = settlement.object_to(db, inst, row.id, [cut["line_id"]], "价格已经物价部门调整")
    approve(db, objection)
    db.refresh(row)
    # the approved settlement stands; the reinstated line waits for the supplementary settlement
    assert row.accepted_fen == row.claimed_fen - row.cut_fen and row.fund_fen == before
    assert db.execute(select(JournalEntry).where(
        JournalEntry.source == f"claims-objection:{objection.id}")).scalar() is None
    again = next(c for c in settlement.cut_lines(db, row.id) if c["line_id"] == cut["line_id"])
    assert again["reinstated"] and again["paid_in"] is None
    approve(db, settlement.prepare(db, ACC, a.id, "medical_employee", PERIOD, supplementary=True))
    second = settlement.month_settlements(db, a.id, "medical_employee", PERIOD)[1]
    # A-OVERPRICE: 2 × 30.00 = 60.00 is under the deductible either way, so no fund money is due
    assert (second.sequence, second.claims, second.reinstated_fen, second.fund_fen) == (
        2, 0, cut["cut_fen"], 0)
    assert next(c for c in settlement.cut_lines(db, row.id)
                if c["line_id"] == cut["line_id"])["paid_in"] == 2
