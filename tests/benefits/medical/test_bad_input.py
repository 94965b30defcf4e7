"""Bad input for medical and maternity claims: each refused with a clear Chinese error at
intake, and nothing written (no case, no claim, no award, no pregnancy record)."""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.benefits.common.models import Award
from jingban.benefits.maternity import service as maternity
from jingban.benefits.maternity.models import PregnancyRecord
from jingban.benefits.maternity.schemas import PregnancyIn
from jingban.benefits.medical.models import ChronicRecognition, ManualClaim
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.errors import Conflict, InvalidInput
from tests.benefits.medical.helpers import BANK, insured, invoice, line, manual
from tests.benefits.stop_helpers import CLERK, TODAY, through_review


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _refused(sessions, item: str, payload: dict) -> str:
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        cases.submit(db, CLERK, item, payload)
    with sessions() as db:
        assert db.query(Case).count() == 0
        assert db.query(ManualClaim).count() == 0 and db.query(ChronicRecognition).count() == 0
        assert db.query(Award).count() == 0
    return caught.value.message


@pytest.mark.parametrize(("lines", "expected"), [
    ([line(-100)], "票据金额应大于0"),
    ([line(0)], "票据金额应大于0"),
    ([line(200000000)], "超过单条上限"),
])
def test_negative_or_absurd_amounts(sessions, lines, expected):
    ssn = insured(sessions)
    assert expected in _refused(sessions, "BEN-MEDICAL-MANUAL",
                                manual(ssn, invoice("ZY-1", "2026-10-01", lines)))


def test_invoice_dates_duplicates_and_mixed_years(sessions):
    ssn = insured(sessions)
    future = _refused(sessions, "BEN-MEDICAL-MANUAL", manual(ssn, invoice("ZY-1", "2026-12-01", [line(100)])))
    assert "晚于今天" in future
    old = _refused(sessions, "BEN-MEDICAL-MANUAL", manual(ssn, invoice("ZY-1", "2025-10-01", [line(100)])))
    assert "申报时限" in old
    twice = _refused(sessions, "BEN-MEDICAL-MANUAL", manual(
        ssn, invoice("ZY-1", "2026-10-01", [line(100)]), invoice("ZY-1", "2026-10-01", [line(100)])))
    assert "录入了两次" in twice
    mixed = _refused(sessions, "BEN-MEDICAL-MANUAL", manual(
        ssn, invoice("ZY-1", "2026-01-02", [line(100)]), invoice("ZY-2", "2025-12-30", [line(100)])))
    assert "同一年度" in mixed


def test_an_invoice_reimbursed_once(sessions):
    ssn = insured(sessions)
    payload = manual(ssn, invoice("ZY-9", "2026-10-01", [line(100000)]))
    assert through_review(sessions, "BEN-MEDICAL-MANUAL", payload, ["invoices", "diagnosis"])["status"] \
        == "completed"
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        cases.submit(db, CLERK, "BEN-MEDICAL-MANUAL", payload)
    assert "已报销过" in caught.value.message
    with sessions() as db:
        assert db.query(ManualClaim).count() == 1


def test_maternity_costs_without_maternity_insurance_and_an_unknown_category(sessions):
    ssn = insured(sessions)
    maternity_costs = _refused(sessions, "BEN-MEDICAL-MANUAL", manual(
        ssn, invoice("CK-1", "2026-10-20", [line(500000)]), purpose="maternity"))
    assert "未参加生育保险" in maternity_costs
    bad_category = _refused(sessions, "BEN-MEDICAL-MANUAL", manual(
        ssn, invoice("ZY-1", "2026-10-01", [line(100, "丁")])))
    assert "category" in bad_category


def test_chronic_disease_off_the_list(sessions):
    ssn = insured(sessions)
    message = _refused(sessions, "BEN-MEDICAL-CHRONIC",
                       {"ssn": ssn, "disease": "J18", "hospital": "某医院", "diagnosed_on": "2026-11-01"})
    assert "不在门诊慢特病病种目录内" in message


def _claim(ssn: str, birth: str = "2026-10-20") -> dict:
    return {"ssn": ssn, "birth_date": birth, "bank_account": BANK, "babies": 2, "difficult_birth": True}


def test_maternity_claim_without_a_pregnancy_record(sessions):
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1))
    message = _refused(sessions, "BEN-MATERNITY", _claim(ssn))
    assert "没有生育登记" in message


def test_maternity_claim_with_a_birth_before_enrollment(sessions):
    ssn = insured(sessions, maternity_from=dt.date(2026, 11, 1))
    with sessions() as db:
        maternity.register_pregnancy(db, CLERK, ssn, PregnancyIn(expected_on=dt.date(2026, 11, 30)))
    message = _refused(sessions, "BEN-MATERNITY", _claim(ssn))
    assert "早于参保" in message
    with sessions() as db:
        assert db.query(PregnancyRecord).one().status == "open"


def test_pregnancy_record_refusals(sessions):
    man = insured(sessions, sex="M", maternity_from=dt.date(2020, 1, 1))
    woman = insured(sessions, maternity_from=dt.date(2020, 1, 1), name="参保丙")
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        maternity.register_pregnancy(db, CLERK, man, PregnancyIn(expected_on=dt.date(2027, 3, 1)))
    assert "孕妇本人" in caught.value.message
    with sessions() as db:
        maternity.register_pregnancy(db, CLERK, woman, PregnancyIn(expected_on=dt.date(2027, 3, 1)))
    with sessions() as db, pytest.raises(Conflict):
        maternity.register_pregnancy(db, CLERK, woman, PregnancyIn(expected_on=dt.date(2027, 3, 2)))
    with sessions() as db:
        assert db.query(PregnancyRecord).count() == 1
