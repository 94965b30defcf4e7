"""The end of a chronic and special outpatient recognition (撤销、终止门诊慢特病认定,
BEN-MEDICAL-CHRONIC-END): a reviewed act with a reason, effective from a date. Bills from that
day are ordinary outpatient care again, an earlier one is still chronic; the record keeps its
validity as granted and shows the end; the audit chain holds the act; the person sees it.

Recognition of E11 on 2026-11-24 (valid 2026-11-24 to 2028-11-23, 24 months). The clock then
moves to 2026-12-20; the recognition is revoked from 2026-12-10.
- Bill of 2026-12-05 (甲 500.00): chronic; yearly deductible 30000 fen; above 20000; fund
  75 % = 15000; person 35000.
- Bill of 2026-12-12 (甲 500.00): after the end, ordinary outpatient (门诊统筹, demo: yearly
  deductible 60000): all 50000 under the deductible, fund 0.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from jingban.benefits.medical import service as medical
from jingban.benefits.medical.models import ChronicRecognition, ManualClaim
from jingban.cases import service as cases
from jingban.core import audit, clock
from jingban.core.errors import Conflict, InvalidInput
from jingban.core.models import AuditEvent
from tests.benefits.medical.helpers import insured, invoice, line, manual
from tests.benefits.portal_helpers import portal_user
from tests.benefits.stop_helpers import CLERK, TODAY, through_review
from tests.web.helpers import sign_in

LATER = dt.date(2026, 12, 20)
DATE = "payload.effective_on"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _recognised(sessions) -> str:
    ssn = insured(sessions, name="慢病甲")
    case = through_review(sessions, "BEN-MEDICAL-CHRONIC", {"ssn": ssn, "disease": "E11",
                                                           "hospital": "杭州市第一人民医院",
                                                           "diagnosed_on": "2026-11-10"}, ["diagnosis"])
    assert case["status"] == "completed"
    return ssn


def _end(ssn: str, **change) -> dict:
    return {"ssn": ssn, "disease": "E11", "kind": "revoke", "effective_on": "2026-12-10",
            "reason": "复核诊断证明，不符合2型糖尿病门诊慢特病认定标准", **change}


def _bill(sessions, ssn: str, number: str, day: str) -> ManualClaim:
    case = through_review(sessions, "BEN-MEDICAL-MANUAL", manual(ssn, invoice(
        number, day, [line(50000, item="二甲双胍")], inpatient=False, diagnosis="E11.9")),
        ["invoices", "diagnosis"])
    assert case["status"] == "completed", case
    with sessions() as db:
        found = db.execute(select(ManualClaim).where(ManualClaim.case_id == case["id"])).scalar_one()
        db.expunge(found)
        return found


def _state(sessions) -> tuple:
    with sessions() as db:
        row = db.execute(select(ChronicRecognition)).scalar_one()
        events = db.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.act == "benefits.end_chronic")).scalar()
        return row.status, row.ended_from, row.end_reason, events


def test_bills_before_the_end_stay_chronic_and_after_it_do_not(sessions, monkeypatch, client):
    ssn = _recognised(sessions)
    monkeypatch.setattr(clock, "today", lambda: LATER)
    case = through_review(sessions, "BEN-MEDICAL-CHRONIC-END", _end(ssn))
    assert case["status"] == "completed", case
    assert _state(sessions) == ("revoked", dt.date(2026, 12, 10),
                                "复核诊断证明，不符合2型糖尿病门诊慢特病认定标准", 1)
    before = _bill(sessions, ssn, "MZ-301", "2026-12-05")
    assert json.loads(before.bills)[0]["coverage"] == "chronic"
    assert (before.fund_fen, before.person_fen, before.chronic_deductible_fen) == (15000, 35000, 30000)
    after = _bill(sessions, ssn, "MZ-302", "2026-12-12")
    bill = json.loads(after.bills)[0]
    assert bill["coverage"] == "outpatient" and bill["split"]["deductible_fen"] == 50000
    assert (after.fund_fen, after.person_fen) == (0, 50000)
    with sessions() as db:
        row = db.execute(select(ChronicRecognition)).scalar_one()
        assert (str(row.valid_from), str(row.valid_to), row.ended_on) == ("2026-11-24", "2028-11-23", LATER)
        event = db.execute(select(AuditEvent).where(AuditEvent.act == "benefits.end_chronic")).scalar_one()
        assert json.loads(event.before)["status"] == "active"
        assert json.loads(event.after)["ended_from"] == "2026-12-10" and event.reason.startswith("复核")
        assert audit.verify(db).ok
        # A new recognition of the disease may be granted after the end.
        assert "E11" not in medical.recognised(db, row.person_id, LATER)
    portal_user(sessions, ssn, "p-chronic")
    sign_in(client, "p-chronic")
    mine = client.get("/my/benefits").text
    assert "已撤销，自2026-12-10起不再享受：复核诊断证明" in mine


def test_bad_ends_are_refused_and_write_nothing(sessions, monkeypatch):
    ssn = _recognised(sessions)
    monkeypatch.setattr(clock, "today", lambda: LATER)
    refused = [
        (_end(ssn, disease="I10"), Conflict, "medical.chronic_not_in_force", "payload.disease"),
        (_end(ssn, effective_on="2026-11-23"), InvalidInput, "medical.chronic_end_date", DATE),
        (_end(ssn, effective_on="2028-11-24"), InvalidInput, "medical.chronic_end_date", DATE),
    ]
    for payload, error, code, field in refused:
        with sessions() as db, pytest.raises(error) as caught:
            cases.submit(db, CLERK, "BEN-MEDICAL-CHRONIC-END", payload)
        assert (caught.value.code, caught.value.field) == (code, field), payload
        assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert _state(sessions) == ("active", None, None, 0)
    # Ended once, it is no longer in force: a second end is refused.
    ended = through_review(sessions, "BEN-MEDICAL-CHRONIC-END", _end(ssn, kind="terminate"))
    assert ended["status"] == "completed"
    with sessions() as db, pytest.raises(Conflict) as caught:
        cases.submit(db, CLERK, "BEN-MEDICAL-CHRONIC-END", _end(ssn))
    assert caught.value.code == "medical.chronic_not_in_force"
    assert _state(sessions)[0] == "ended"
