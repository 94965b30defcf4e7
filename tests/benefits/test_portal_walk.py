"""Issue 11 "Done when" (item 5): a claim taken by the clerk, approved, paid by the payroll and
seen by the person on the portal with its breakdown and payment — the kinds no other page test
walks to the portal: the training subsidy (BEN-TRAINING) and the one-off grants on ending
employment (BEN-INJURY-ENDING). SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from jingban.core import clock
from tests.benefits.injury.helpers import BANK as INJURY_BANK
from tests.benefits.injury.helpers import injured, recognised, take
from tests.benefits.portal_helpers import portal_user
from tests.benefits.stop_helpers import TODAY, payroll, through_review
from tests.benefits.unemployment.helpers import BANK, months, unemployed
from tests.web.helpers import sign_in


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_a_training_subsidy_from_intake_to_the_portal(sessions, client):
    # 四级 certificate of 2026-06-15, 36 months paid: 1,500.00, decided 2026-11-24 and paid by the
    # 2026-12 payroll; the portal shows it pending (待发放) first, then paid (已发放).
    ssn = unemployed(sessions, periods=months(202310, 202609), active=True, name="补贴甲")
    case = through_review(sessions, "BEN-TRAINING", {
        "ssn": ssn, "certificate_number": "S330106202606150009", "certificate_level": 4,
        "occupation": "电工", "issued_on": "2026-06-15", "bank_account": BANK}, provided=["certificate"])
    assert case["status"] == "completed"
    portal_user(sessions, ssn, "p-training")
    sign_in(client, "p-training")
    before = client.get("/my/benefits").text
    assert "技能提升补贴" in before and "1,500.00" in before and "待发放" in before
    payroll(sessions, 202612)
    after = client.get("/my/benefits").text
    paid_row = '<td>2026年12月</td><td class="num">1,500.00</td><td>已发放</td>'
    assert "待发放" not in after and paid_row in after


def test_grade_7_ending_employment_from_intake_to_the_portal(sessions, client):
    # Grade 7, 本人工资 6,000.00: grant 13 × 6,000.00 = 78,000.00; ending employment the fund's
    # 一次性工伤医疗补助金 (demo 4 months for grade 7: 24,000.00) — both one-off, paid in 202612.
    ssn, unit = injured(sessions, base=600000)
    number = "杭人社工认〔2026〕W701"
    recognised(sessions, ssn, unit, number, grade=7)
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": number, "bank_account": INJURY_BANK,
                                                  "work_arranged": True})
    take(sessions, "BEN-INJURY-ENDING", ssn, {"decision_number": number, "ended_on": "2026-11-02",
                                              "bank_account": INJURY_BANK})
    payroll(sessions, 202612)
    portal_user(sessions, ssn, "p-ending")
    sign_in(client, "p-ending")
    mine = client.get("/my/injury").text
    assert "一次性伤残补助金" in mine and "一次性工伤医疗补助金" in mine and "伤残7级" in mine
    assert "78,000.00" in mine and "已发放" in mine
    overview = client.get("/my/benefits").text
    assert "一次性工伤医疗补助金" in overview and "78,000.00" in overview
