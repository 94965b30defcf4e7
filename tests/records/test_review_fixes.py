"""The reviewer's findings on the records area (issue 4): the API keeps a model validator's
Chinese message, names choices without Python syntax, and reports invalid JSON on the body;
the interest-to-transfer rule by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingban.records import rules
from tests.conftest import error_of
from tests.records.helpers import make_world


@pytest.fixture
def world(sessions):
    return make_world(sessions)


def test_a_correction_naming_both_or_neither_target_says_so(client, login, world):
    headers = login("accountant")
    for body in ({"reason": "重复缴费"}, {"contribution_id": 1, "entry_id": 1, "reason": "重复缴费"}):
        reply = client.post(f"/api/v1/persons/{world.employee}/record-corrections", json=body,
                            headers=headers)
        err = error_of(reply)
        assert reply.status_code == 422
        assert "须且只能指定 contribution_id 或 entry_id 之一" in err["message"], err


def test_choices_and_invalid_json_are_reported_plainly(client, login, world):
    headers = login("clerk")
    reply = client.post("/api/v1/transfers", headers=headers,
                        json={"ssn": world.employee, "kind": "pension_enterprise",
                              "direction": "sideways", "peer_region": "310104"})
    err = error_of(reply)
    assert "可选值：in、out" in err["message"] and "'" not in err["message"]
    reply = client.post("/api/v1/transfers", headers={**headers, "content-type": "application/json"},
                        content=b'{"ssn": ')
    assert reply.status_code == 422 and error_of(reply)["field"] == "body"


def test_interest_up_to_a_transfer_month_by_hand():
    # opening 10000.00 for 3 months, 600.00 credited in January for 3 months, 600.00 in
    # March for 1 month, 600.00 in April for none: (10000×3 + 600×3 + 600×1) × 3 % / 12 = 81.00
    credits = [(1, 60000), (3, 60000), (4, 60000)]
    assert rules.interest_to_month(1000000, credits, Decimal("0.03"), 4) == 8100
    # in January nothing has earned yet; a whole year of equal credits is the year-end rule
    # up to its rounded factor: (10000×12 + 600×78) × 3 % / 12 = 417.00 against 416.96
    assert rules.interest_to_month(1000000, credits, Decimal("0.03"), 1) == 0
    year = [(k, 60000) for k in range(1, 13)]
    assert rules.interest_to_month(1000000, year, Decimal("0.03"), 13) == 41700
    assert rules.interest(1000000, 720000, Decimal("0.03")) == 41696
