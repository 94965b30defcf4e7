"""Penalties over HTTP: the proposal shows the legal range, a fine outside it is refused with
the documented error and nothing written, the decision after three levels, the collections
with their 10-working-day deadline (Z-13(1))."""

from __future__ import annotations

from jingban.core import clock
from tests.conftest import error_of
from tests.oversight.inspections.helpers import BEFORE_HOLIDAY, employer
from tests.oversight.inspections.test_inspections_api import approve

BASE = "/api/v1/oversight/penalties"


def test_obstruction_penalty_lifecycle(client, login, sessions):
    with sessions() as db:
        hospital = employer(db, "某定点医院")
    inspector = login("inspector")
    made = client.post(BASE, headers=inspector, json={
        "kind": "obstruction", "subject_kind": "institution", "subject_ref": hospital.uscc,
        "facts": "拒绝提供住院病历和费用明细，经责令改正仍拒不改正"})
    assert made.status_code == 201, made.text
    row = made.json()
    assert (row["range_low"], row["range_high"]) == (1_000_000, 5_000_000)
    assert row["range_label"] == "10,000.00元至50,000.00元" and "第五十七条" in row["basis"]
    url = f"{BASE}/{row['id']}"
    for fine in ("9999.99", "50000.01"):
        refused = client.post(f"{url}/decision", headers=inspector, json={"fine": fine, "reason": "x"})
        assert refused.status_code == 422
        err = error_of(refused)
        assert (err["code"], err["field"]) == ("penalty.out_of_range", "fine")
        assert "超出法定幅度（10,000.00元至50,000.00元）" in err["message"]
    assert client.get(url, headers=inspector).json()["decision_case_id"] is None
    assert client.get("/api/v1/cases/queue", headers=login("reviewer_1")).json() == []
    with clock.travel(BEFORE_HOLIDAY):
        case = client.post(f"{url}/decision", headers=inspector,
                           json={"fine": "30000", "reason": "首次违法，按中间额度处罚"})
        assert case.status_code == 201 and case.json()["item_code"] == "OVS-PENALTY"
        approve(client, login, case.json()["case_id"], 3)
        shown = client.get(url, headers=inspector).json()
        assert (shown["status"], shown["fine"], shown["owed"]) == ("decided", 3_000_000,
                                                                   {"recovered": 0, "fine": 3_000_000})
        accountant = login("accountant")
        paid = client.post(f"{url}/payments", headers=accountant, json={"part": "fine", "amount": "30000"})
        assert paid.status_code == 201, paid.text
        assert (paid.json()["deposit_due"], paid.json()["overdue"]) == ("2026-10-14", False)
        nothing_owed = client.post(f"{url}/payments", headers=accountant,
                                   json={"part": "recovered", "amount": "1"})
        assert error_of(nothing_owed)["code"] == "penalty.amount"
        done = client.post(f"{url}/payments/{paid.json()['id']}/deposit", headers=accountant,
                           json={"reference": "FM2026092301"})
    assert done.status_code == 200 and done.json()["deposited_on"] == "2026-09-23"
    assert client.get(BASE, headers=login("supervisor")).json()[0]["collected"] == {
        "recovered": 0, "fine": 3_000_000}


def test_fraud_proposal_refusals(client, login, sessions):
    with sessions() as db:
        unit = employer(db)
    inspector = login("inspector")
    no_amount = client.post(BASE, headers=inspector, json={
        "kind": "fraud", "subject_kind": "employer", "subject_ref": unit.uscc, "facts": "x"})
    assert no_amount.status_code == 422 and error_of(no_amount)["field"] == "amount"
    bad_amount = client.post(BASE, headers=inspector, json={
        "kind": "fraud", "subject_kind": "employer", "subject_ref": unit.uscc, "facts": "x",
        "amount": "12.345"})
    assert error_of(bad_amount)["code"] == "money.precision"
    unknown = client.post(BASE, headers=inspector, json={
        "kind": "fraud", "subject_kind": "employer", "subject_ref": "91330106MA0000000X",
        "facts": "x", "amount": "100"})
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "inspection.subject_unknown"
    made = client.post(BASE, headers=inspector, json={
        "kind": "fraud", "subject_kind": "employer", "subject_ref": unit.uscc, "facts": "虚报",
        "amount": "1000.50", "fund": "unemployment"})
    assert (made.json()["range_low"], made.json()["range_high"]) == (200_100, 500_250)
    assert client.get(BASE, headers=inspector).json()[0]["id"] == made.json()["id"]
    assert error_of(client.get(f"{BASE}/77", headers=inspector))["code"] == "penalty.not_found"
