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
            "average_index": "1.2", "account_balance": "139000.00"}
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
