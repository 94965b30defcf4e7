"""The overview of every benefit (我的待遇, /my/benefits and /persons/{ssn}/benefits) names the
work-injury awards by injury.rules.KIND_NAMES and tells a one-off grant from a monthly allowance.

Worked example (tests/benefits/injury/test_injury.py, grade 1 with nursing level 1): base
6,000.00 = 600000 fen, 本人工资 600000; grant 27 × 600000 = 16200000 fen (162,000.00), one-off,
paid with 202612; allowance 90 % = 540000 (5,400.00) and nursing 50 % × 770000 = 385000
(3,850.00) a month from 202610. Three payrolls 202610–202612: the allowance used 3 months,
paid 3 × 540000 = 1620000 (16,200.00).
"""

from __future__ import annotations

import pytest

from jingban.benefits.injury import rules as injury
from jingban.benefits.medical import overview
from jingban.core import clock
from tests.benefits.injury.helpers import BANK, injured, recognised, take
from tests.benefits.portal_helpers import portal_user
from tests.benefits.stop_helpers import TODAY, payroll
from tests.web.helpers import sign_in


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_every_injury_kind_is_named_from_one_source():
    for kind, name in injury.KIND_NAMES.items():
        assert overview.KIND_NAMES[kind] == name
        assert (kind in overview.ONE_OFF) is (kind not in injury.MONTHLY_KINDS)


def test_injury_awards_on_the_overview_one_off_and_monthly(client, make_user, sessions, login):
    make_user("clerk-inj", "clerk")
    ssn, unit = injured(sessions, base=600000, name="工伤丁")
    number = "杭人社工认〔2026〕101号"
    recognised(sessions, ssn, unit, number, grade=1, nursing=1)
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": number, "bank_account": BANK})
    payroll(sessions, 202610, 202611, 202612)
    found = client.get(f"/api/v1/benefits/persons/{ssn}/overview", headers=login("clerk")).json()
    rows = {b["kind"]: b for b in found["benefits"]}
    grant, allowance = rows["injury_grant"], rows["injury_allowance"]
    assert (grant["name"], grant["status"], grant["months_used"]) == ("一次性伤残补助金", "一次性支付", None)
    assert (grant["monthly_amount"], grant["paid"]) == ("162000.00", "162000.00")
    assert (allowance["name"], allowance["status"]) == ("伤残津贴", "发放中")
    assert (allowance["months_used"], allowance["paid"]) == (3, "16200.00")
    assert rows["injury_nursing"]["name"] == "生活护理费" and rows["injury_nursing"]["months_used"] == 3
    sign_in(client, "clerk-inj")
    staff = client.get(f"/persons/{ssn}/benefits").text
    portal_user(sessions, ssn, "p-injured")
    sign_in(client, "p-injured")
    mine = client.get("/my/benefits").text
    for page in (staff, mine):
        assert "一次性伤残补助金 <span class=\"badge\">一次性支付</span>" in page
        assert "伤残津贴 <span class=\"badge\">发放中</span>" in page
        assert "injury_grant" in page and "162,000.00 元" in page and "5,400.00 元" in page
        assert f'id="used-{allowance["id"]}">3个月<' in page and f'id="used-{grant["id"]}"' not in page
