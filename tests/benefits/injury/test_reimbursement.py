"""工伤医疗费手工报销 (BEN-INJURY-MEDICAL, 20 wd) on the rules of direct settlement: the same split
(agreements.claims.split with the injury fund's parameters, as settlement.params_for), the same
annual limit spanning the institutions' injury claims settled directly, the claim review rule
that reads a person's invoice (claims.rules.after_death) and the medical manual claim's
checks of each line. Injury catalogue scope (《工伤保险条例》第三十条): 甲类 and 乙类 in full,
丙类 the person's, no deductible, no co-payment; annual limit 100000000 fen (demo).
Today 2026-11-24; the injury is on 2026-03-10.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from jingban.agreements.claims import settlement, split
from jingban.agreements.claims.models import Claim, ClaimUpload
from jingban.agreements.institutions.models import Institution
from jingban.benefits.injury import service
from jingban.benefits.injury.schemas import ReimbursementIn
from jingban.cases import catalog
from jingban.core import clock
from jingban.registration.models import Person
from tests.benefits.injury.helpers import BANK, awards_of, injured, recognised, take
from tests.benefits.injury.test_injury import _refused
from tests.benefits.stop_helpers import TODAY
from tests.conftest import uscc

NUMBER = "杭人社工认〔2026〕401号"
LINES = [{"amount": 100000, "category": "甲"}, {"amount": 50000, "category": "乙"},
         {"amount": 20000, "category": "丙"}]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _claim(invoice: str, treated: str, lines: list[dict] = LINES) -> dict:
    return {"decision_number": NUMBER, "invoice_number": invoice, "treated_on": treated,
            "bank_account": BANK, "lines": lines}


def _worker(sessions) -> str:
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, NUMBER)
    return ssn


def _settled_injury_claim(sessions, ssn: str, fund_fen: int) -> None:
    """An institution's injury claim settled directly in 2026-06: the fund paid ``fund_fen``."""
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        unit = Institution(uscc=uscc(), name="浙江省工伤康复医院", kind="hospital")
        db.add(unit)
        db.flush()
        upload = ClaimUpload(institution_id=unit.id, period=202606, filename="202606.csv",
                             encoding="utf-8", digest="e" * 64, raw="", received_by="test")
        db.add(upload)
        db.flush()
        db.add(Claim(upload_id=upload.id, institution_id=unit.id, period=202606, claim_no="GS-1",
                     person_id=person.id, fund="injury", inpatient=True, admission_on=dt.date(2026, 6, 1),
                     discharge_on=dt.date(2026, 6, 30), diagnosis="S62", total_fen=fund_fen, raw="",
                     status="settled", fund_fen=fund_fen, person_fen=0))
        db.commit()


def test_the_manual_split_is_the_direct_settlements_split_with_the_injury_catalogue(sessions):
    # 甲 100000 + 乙 50000 + 丙 20000 = 170000: 丙 20000 the person's, 甲 + 乙 = 150000 in the
    # catalogue, paid in full (no 乙类 先行自付, no deductible, 100 %): fund 150000.
    ssn = _worker(sessions)
    data = ReimbursementIn(**_claim("FP-401", "2026-03-15"))
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        manual = service.reimbursement(db, person, data)
        direct = split.split([split.BillLine(x.amount, x.category) for x in data.lines],
                             settlement.params_for(db, "injury", data.treated_on), 0)
    assert manual == direct
    assert (manual.fund_fen, manual.first_self_pay_fen, manual.deductible_fen, manual.co_pay_fen,
            manual.person_fen) == (150000, 0, 0, 0, 20000)


def test_the_annual_limit_spans_the_injury_claims_settled_directly(sessions):
    # The fund paid 99,950,000 fen on a direct injury claim this year; room left under the
    # 100000000 limit: 50000. The bill's 150000 in the catalogue → fund 50000, over the
    # limit 100000, the person 100000 + 20000 = 120000.
    ssn = _worker(sessions)
    _settled_injury_claim(sessions, ssn, 99950000)
    take(sessions, "BEN-INJURY-MEDICAL", ssn, _claim("FP-402", "2026-07-15"))
    award = awards_of(sessions, ssn)["injury_medical"]
    assert award.monthly_amount == 50000


def test_a_treatment_after_the_recorded_death_and_a_stale_invoice_are_refused(sessions, monkeypatch):
    ssn = _worker(sessions)
    with sessions() as db:
        db.execute(update(Person).where(Person.ssn == ssn).values(death_date=dt.date(2026, 10, 5)))
        db.commit()
    message = _refused(sessions, "BEN-INJURY-MEDICAL", ssn, _claim("FP-403", "2026-10-10"))
    assert "就诊日期2026-10-10在登记的死亡日期2026-10-05之后" in message and "虚构医疗服务" in message
    # 2027-05-01: the 12-month filing window (medical.manual.claim_window_months) reaches back
    # to 2026-05-01, so an invoice of 2026-03-15 is out of time.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 5, 1))
    message = _refused(sessions, "BEN-INJURY-MEDICAL", ssn, _claim("FP-404", "2026-03-15"))
    assert "已超过12个月申报时限" in message


def test_one_injury_manual_reimbursement_item_and_every_injury_item_ends_in_an_act():
    # rev11 finding 1: BEN-INJURY-MANUAL, a second 工伤医疗费用手工报销 with no act, completed a
    # case on approval without any check or payment.
    items = [i for i in catalog.load().values() if i.insurance == "injury"]
    assert [i.code for i in items if i.name == "工伤医疗费用手工报销"] == ["BEN-INJURY-MEDICAL"]
    assert [i.code for i in items if not i.act] == []
