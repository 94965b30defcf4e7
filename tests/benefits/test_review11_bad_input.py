"""Review of issue 11: every bad input the issue lists, through the API (POST /api/v1/cases):
a clear Chinese error with its machine code and field, status 4xx, and nothing written — the
rows of the benefit, case and pregnancy tables and the audit events are counted before and
after (R§20–§24; 《失业保险条例》第十四条; 《工伤保险条例》第十七条、第三十五条至第三十七条)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.benefits.common.models import Award, AwardEvent, Payment
from jingban.benefits.injury.models import Recognition
from jingban.benefits.maternity.models import PregnancyRecord
from jingban.cases import catalog
from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.models import AuditEvent
from jingban.records.models import Contribution
from tests.benefits.injury import helpers as injury
from tests.benefits.medical.helpers import BANK, insured
from tests.benefits.stop_helpers import TODAY, through_review
from tests.benefits.unemployment.helpers import claim, months, unemployed

TABLES = (Award, AwardEvent, Payment, Case, PregnancyRecord, Recognition, Contribution, AuditEvent)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _counts(sessions) -> dict[str, int]:
    with sessions() as db:
        return {t.__tablename__: db.execute(select(func.count()).select_from(t)).scalar()
                for t in TABLES}


def _refused(client, login, sessions, item: str, payload: dict, code: str, field: str,
             words: str) -> None:
    headers = login("clerk")
    before = _counts(sessions)
    materials = [m.code for m in catalog.item(item).materials]
    reply = client.post("/api/v1/cases", headers=headers,
                        json={"item": item, "payload": payload, "materials": materials})
    assert reply.status_code in (409, 422), reply.text
    error = reply.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    assert words in error["message"], error["message"]
    assert _counts(sessions) == before


# --- unemployment (第十四条; 第五十一条) ----------------------------------------------------------

def test_under_a_year_paid_is_refused_and_writes_nothing(client, login, sessions):
    # 202511–202609: 11 months paid < 12 (unemployment.min_paid_months).
    ssn = unemployed(sessions, periods=months(202511, 202609))
    _refused(client, login, sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()},
             "unemployment.not_eligible", "payload.registration_date", "累计缴纳失业保险费11个月，不满12个月")


def test_a_voluntary_resignation_is_refused_and_writes_nothing(client, login, sessions):
    ssn = unemployed(sessions, periods=months(202310, 202609), separation="resigned")
    _refused(client, login, sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()},
             "unemployment.not_eligible", "payload.registration_date", "本人意愿中断就业")


def test_a_second_active_unemployment_benefit_is_refused_and_writes_nothing(client, login, sessions):
    ssn = unemployed(sessions, periods=months(202310, 202609))
    assert through_review(sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()})["status"] == "completed"
    _refused(client, login, sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim("2026-10-20")},
             "unemployment.not_eligible", "payload.registration_date", "已有正在领取的失业保险金")


# --- work injury (第十七条; 第三十五条至第三十七条) ---------------------------------------------------

@pytest.mark.parametrize("grade", [0, 11, -1])
def test_a_disability_grade_outside_one_to_ten_is_refused(client, login, sessions, grade):
    ssn, unit = injury.injured(sessions, base=600000)
    injury.recognised(sessions, ssn, unit, "杭人社工认〔2026〕R11")
    injury.take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn,
                {"decision_number": "杭人社工认〔2026〕R11", "applied_on": "2026-09-01"})
    payload = {"ssn": ssn, "decision_number": "杭人社工认〔2026〕R11",
               "conclusion_number": "JD-R11", "concluded_on": "2026-09-15", "grade": grade}
    _refused(client, login, sessions, "BEN-INJURY-APPRAISAL", payload, "injury.appraisal",
             "payload.grade", "伤残等级")


def test_an_injury_claim_before_recognition_is_refused(client, login, sessions):
    ssn, _ = injury.injured(sessions, base=600000)
    payload = {"ssn": ssn, "decision_number": "杭人社工认〔2026〕R12", "bank_account": BANK,
               "work_arranged": True}
    _refused(client, login, sessions, "BEN-INJURY-DISABILITY", payload, "injury.not_recognised",
             "payload.decision_number", "认定")


def test_an_injury_medical_bill_before_recognition_is_refused(client, login, sessions):
    ssn, _ = injury.injured(sessions, base=600000)
    payload = {"ssn": ssn, "decision_number": "杭人社工认〔2026〕R13", "invoice_number": "INV-R13",
               "treated_on": "2026-04-01", "bank_account": BANK,
               "lines": [{"name": "手术费", "category": "甲", "amount": 100000}]}
    _refused(client, login, sessions, "BEN-INJURY-MEDICAL", payload, "injury.not_recognised",
             "payload.decision_number", "认定")


# --- maternity (R§20) --------------------------------------------------------------------------

def test_a_maternity_claim_without_a_pregnancy_record_is_refused(client, login, sessions):
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1))
    payload = {"ssn": ssn, "birth_date": "2026-11-02", "babies": 1, "bank_account": BANK}
    _refused(client, login, sessions, "BEN-MATERNITY", payload, "maternity.not_eligible",
             "payload.birth_date", "没有生育登记")


def test_a_maternity_claim_with_a_birth_before_enrollment_is_refused(client, login, sessions):
    # Maternity insurance from 2026-11-01; the pregnancy registered today; birth 2026-10-20.
    ssn = insured(sessions, maternity_from=dt.date(2026, 11, 1))
    reply = client.post(f"/api/v1/benefits/persons/{ssn}/pregnancy", headers=login("clerk"),
                        json={"expected_on": "2026-10-25", "hospital": "杭州市妇产科医院"})
    assert reply.status_code in (200, 201), reply.text
    payload = {"ssn": ssn, "birth_date": "2026-10-20", "babies": 1, "bank_account": BANK}
    _refused(client, login, sessions, "BEN-MATERNITY", payload, "maternity.not_eligible",
             "payload.birth_date", "早于参保或已停保")
