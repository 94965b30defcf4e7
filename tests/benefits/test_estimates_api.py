from decimal import Decimal

import pytest

from jingban.core.errors import InvalidInput
from jingban.core.money import parse_yuan, round_fen
from tests.conftest import error_of

API = "/api/v1/estimates"


def test_retirement_estimate(client, login):
    reply = client.post(f"{API}/retirement", json={"birth_date": "1966-03-15", "category": "male"},
                        headers=login("clerk"))
    got = reply.json()
    assert (got["retirement_age_months"], got["retirement_age"], got["retirement_month"]) == (
        724, "60岁4个月", "2026-07")
    assert got["min_contribution_months"] == 180
    assert (got["earliest_flexible_month"], got["latest_flexible_month"]) == ("2026-03", "2029-07")
    reply = client.post(f"{API}/retirement", json={"birth_date": "1976-06-01",
                                                   "category": "female_50"}, headers=login("clerk"))
    assert reply.json()["retirement_month"] == "2027-03"


def test_pension_estimate(client, login):
    body = {"region": "330106", "retirement_month": "2026-07", "contribution_months": 360,
            "average_index": "1.2", "account_balance": "139000.00", "retirement_age_months": 720}
    got = client.post(f"{API}/pension", json=body, headers=login("clerk")).json()
    assert (got["basic"], got["account"], got["total"], got["eligible"]) == (
        "2541.00", "1000.00", "3541.00", True)
    assert got["parameters"]["payout_months"] == "139"
    short = client.post(f"{API}/pension", json={**body, "contribution_months": 170},
                        headers=login("clerk")).json()
    assert short["eligible"] is False


def test_bad_estimate_input(client, login):
    h = login("clerk")
    err = error_of(client.post(f"{API}/retirement", json={"birth_date": "2999-01-01",
                                                          "category": "male"}, headers=h))
    assert err["code"] == "estimate.birth_date"
    err = error_of(client.post(f"{API}/retirement", json={"birth_date": "1970-01-01",
                                                          "category": "x"}, headers=h))
    assert err["field"] == "category"
    body = {"region": "330106", "retirement_month": "2026-13", "contribution_months": 360,
            "average_index": "1", "account_balance": "1"}
    assert error_of(client.post(f"{API}/pension", json=body, headers=h))["field"] == \
        "retirement_month"
    old = {**body, "retirement_month": "2001-01"}
    assert error_of(client.post(f"{API}/pension", json=old, headers=h))["code"] == "policy.no_value"
    assert error_of(client.post(f"{API}/pension", json=body))["code"] == "auth.missing_token"


def test_pension_estimate_age_from_birth_date_and_category(client, login):
    """No default age: without one, the birth date and category give the statutory age. A
    woman on the original-50 rule born 1976-06 retires at 50y9m (n = 18, delay 9): payout
    months 195 + (190 − 195) × 9/12 = 191.25; 139,000.00 ÷ 191.25 = 726.80 a month."""
    h = login("clerk")
    body = {"region": "330106", "retirement_month": "2027-03", "contribution_months": 360,
            "average_index": "1.2", "account_balance": "139000.00"}
    err = error_of(client.post(f"{API}/pension", json=body, headers=h))
    assert (err["code"], err["field"]) == ("estimate.retirement_age", "retirement_age_months")
    assert "出生日期" in err["message"]
    alone = error_of(client.post(f"{API}/pension", json={**body, "category": "female_50"}, headers=h))
    assert alone["code"] == "estimate.retirement_age"
    got = client.post(f"{API}/pension", headers=h,
                      json={**body, "birth_date": "1976-06-10", "category": "female_50"}).json()
    assert got["parameters"]["retirement_age"] == "50岁9个月"
    assert got["parameters"]["payout_months"] == "191.25" and got["account"] == "726.80"
    given = client.post(f"{API}/pension", headers=h, json={
        **body, "retirement_age_months": 720, "birth_date": "1976-06-10",
        "category": "female_50"}).json()
    assert given["parameters"]["retirement_age"] == "60岁"  # a given age wins


def test_absurd_inputs_are_refused_in_chinese(client, login):
    h = login("clerk")
    body = {"region": "330106", "retirement_month": "2026-07", "contribution_months": 360,
            "average_index": "1.2", "account_balance": "1e30", "retirement_age_months": 720}
    reply = client.post(f"{API}/pension", json=body, headers=h)
    assert reply.status_code == 422 and reply.json()["error"]["field"] == "account_balance"
    old = client.post(f"{API}/retirement", json={"birth_date": "0001-01-01", "category": "male"},
                      headers=h)
    err = error_of(old)
    assert old.status_code == 422 and err["code"] == "estimate.birth_date" and "1900" in err["message"]
    for path in ("/api/v1/benefits/prereview", "/api/v1/benefits/prereview/notices"):
        call = client.get if path.endswith("prereview") else client.post
        reply = call(path, params={"month": "0001-01"}, headers=h)
        assert reply.status_code == 422, reply.text
        assert reply.json()["error"]["code"] == "prereview.month"


def test_money_parsing_refuses_absurd_magnitudes():
    assert parse_yuan("1000000000000", "amount") == 100_000_000_000_000
    for value in ("1e30", "1000000000000.01"):
        with pytest.raises(InvalidInput) as refused:
            parse_yuan(value, "amount")
        assert refused.value.code == "money.too_large"
    with pytest.raises(InvalidInput):
        round_fen(Decimal("1e40"))
