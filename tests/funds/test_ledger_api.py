"""The ledger through /api/v1/funds: vouchers, queues, confirm, trial balance, month end, the
manual-entry and reversal cases, Excel exports, permissions and the house errors."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jingban.core import clock
from tests.conftest import error_of

API = "/api/v1"
FUND = "pension_enterprise"
DAY = "2026-10-12"
MANUAL = {"fund": FUND, "memo": "更正利息科目",
          "lines": [{"account": 5501, "debit": "12.34"}, {"account": 1003, "credit": "12.34"}]}


@pytest.fixture
def staff(login):
    return {role: login(role) for role in ("accountant", "cashier", "reviewer_1", "reviewer_2",
                                           "reviewer_3", "supervisor", "clerk")}


@pytest.fixture(autouse=True)
def on_day():
    with clock.travel(DAY):
        yield


def approve_all(client, staff, case_id: int) -> dict:
    for level in (1, 2, 3):
        reply = client.post(f"{API}/cases/{case_id}/decisions", headers=staff[f"reviewer_{level}"],
                            json={"level": level, "decision": "approve", "reason": "同意"})
        assert reply.status_code == 200, reply.text
    return reply.json()


def manual_entry(client, staff) -> dict:
    reply = client.post(f"{API}/funds/manual-entries", json=MANUAL, headers=staff["accountant"])
    assert reply.status_code == 201, reply.text
    case = reply.json()
    assert (case["item"], case["status"], case["levels_required"]) == ("FUND-MANUAL", "in_review", 3)
    assert approve_all(client, staff, case["id"])["status"] == "completed"
    found = client.get(f"{API}/funds/entries", params={"kind": "manual"}, headers=staff["supervisor"])
    (entry,) = found.json()
    return entry


def test_manual_entry_confirm_and_reversal(client, staff):
    entry = manual_entry(client, staff)
    assert (entry["state"], entry["amount"], entry["booked_by"]) == ("awaiting_confirm", 1234,
                                                                     "u_accountant")
    shown = client.get(f"{API}/funds/entries/{entry['id']}", headers=staff["cashier"]).json()
    assert [(x["account"], x["name"]) for x in shown["lines"]] == [(5501, "其他支出"), (1003, "财政专户存款")]
    assert [(s["step"], s["username"]) for s in shown["signatures"]] == [("approve", "u_reviewer_3")]
    assert shown["case_id"] and shown["needed"] == ["approve", "confirm"]
    queue = client.get(f"{API}/funds/awaiting", params={"step": "confirm"}, headers=staff["cashier"])
    assert [x["id"] for x in queue.json()["entries"]] == [entry["id"]]
    for who, status in (("accountant", 403), ("supervisor", 403)):
        reply = client.post(f"{API}/funds/entries/{entry['id']}/confirm", headers=staff[who])
        assert error_of(reply) and reply.status_code == status
    done = client.post(f"{API}/funds/entries/{entry['id']}/confirm", headers=staff["cashier"])
    assert done.status_code == 200 and done.json()["state"] == "done"
    again = client.post(f"{API}/funds/entries/{entry['id']}/confirm", headers=staff["cashier"])
    assert again.status_code == 409 and error_of(again)["code"] == "funds.sign"

    reply = client.post(f"{API}/funds/reversals", json={"entry_id": entry["id"], "reason": "科目错误"},
                        headers=staff["accountant"])
    assert reply.status_code == 201, reply.text
    case = reply.json()
    waiting = client.get(f"{API}/funds/awaiting", params={"step": "approve"}, headers=staff["reviewer_1"])
    assert [c["id"] for c in waiting.json()["cases"]] == [case["id"]]
    twice = client.post(f"{API}/funds/reversals", json={"entry_id": entry["id"], "reason": "再次"},
                        headers=staff["accountant"])
    assert twice.status_code == 409 and error_of(twice)["code"] == "funds.reversal_open"
    approve_all(client, staff, case["id"])
    shown = client.get(f"{API}/funds/entries/{entry['id']}", headers=staff["accountant"]).json()
    reversal = client.get(f"{API}/funds/entries/{shown['reversed_by']}", headers=staff["accountant"]).json()
    assert (reversal["kind"], reversal["reverses_id"]) == ("reversal", entry["id"])
    assert reversal["case_id"] == case["id"]
    balance = client.get(f"{API}/funds/trial-balance", params={"fund": FUND, "period": 202610},
                         headers=staff["supervisor"]).json()
    assert balance["balanced"] and all(r["balance"] == 0 for r in balance["rows"])
    assert {"account", "class", "class_name"} <= set(balance["rows"][0])


@pytest.mark.parametrize(("body", "who", "status", "code"), [
    ({**MANUAL, "lines": [{"account": 5501, "debit": "1"}, {"account": 1003, "credit": "2"}]},
     "accountant", 422, "funds.unbalanced"),
    ({**MANUAL, "lines": [{"account": 5501, "debit": "1"},
                          {"account": 1003, "credit": "1", "fund": "injury"}]},
     "accountant", 422, "funds.two_funds"),
    ({**MANUAL, "lines": [{"account": 1004, "debit": "1"}, {"account": 4001, "credit": "1"}]},
     "accountant", 422, "funds.expenditure_source"),
    ({**MANUAL, "lines": [{"account": 5501, "debit": "x"}, {"account": 1003, "credit": "1"}]},
     "accountant", 422, "money.invalid"),
    ({**MANUAL, "lines": [{"account": 5501, "debit": "1"}]}, "accountant", 422, None),
    (MANUAL, "clerk", 403, "case.intake_role"),
    (MANUAL, "supervisor", 403, "auth.read_only"),
])
def test_manual_entry_refusals(client, staff, body, who, status, code):
    reply = client.post(f"{API}/funds/manual-entries", json=body, headers=staff[who])
    assert reply.status_code == status
    err = error_of(reply)
    assert code is None or err["code"] == code
    assert client.get(f"{API}/cases/dashboard", headers=staff["reviewer_1"]).json()["items"] == []


def test_reads_and_errors(client, staff):
    for url, params, status in ((f"{API}/funds/entries", {"kind": "nope"}, 422),
                                (f"{API}/funds/entries", {"fund": "nope"}, 422),
                                (f"{API}/funds/entries/999999", {}, 404),
                                (f"{API}/funds/trial-balance", {"fund": "nope", "period": 202610}, 422),
                                (f"{API}/funds/trial-balance", {"fund": FUND, "period": 202613}, 422),
                                (f"{API}/funds/awaiting", {"step": "stamp"}, 422)):
        reply = client.get(url, params=params, headers=staff["accountant"])
        assert reply.status_code == status and error_of(reply)
    assert client.get(f"{API}/funds/entries", headers=staff["clerk"]).status_code == 403
    assert client.get(f"{API}/funds/entries").status_code == 401


def test_interest_sweep_close_and_backfill(client, staff):
    body = {"fund": FUND, "bank": "income", "amount": "8.88", "reference": "JX-10"}
    reply = client.post(f"{API}/funds/interest", json=body, headers=staff["accountant"])
    assert reply.status_code == 201 and reply.json()["amount"] == 888
    for bad, code in (({"bank": "safe"}, "funds.bank"), ({"amount": "-1"}, "money.invalid")):
        refused = client.post(f"{API}/funds/interest", json={**body, **bad}, headers=staff["accountant"])
        assert refused.status_code == 422 and error_of(refused)["code"] == code
    assert client.post(f"{API}/funds/interest", json=body, headers=staff["cashier"]).status_code == 403
    swept = client.post(f"{API}/funds/sweep", params={"period": 202610}, headers=staff["accountant"])
    assert [(x["fund"], x["amount"]) for x in swept.json()["entries"]] == [(FUND, 888)]
    again = client.post(f"{API}/funds/sweep", params={"period": 202610}, headers=staff["accountant"])
    assert again.json()["entries"] == []
    with clock.travel("2026-11-02"):
        closed = client.post(f"{API}/funds/close", json={"fund": FUND, "period": 202610},
                             headers=staff["accountant"])
        assert closed.status_code == 200 and closed.json()["closed_by"] == "u_accountant"
        late = client.post(f"{API}/funds/interest", json={**body, "reference": "JX-11"},
                           headers=staff["accountant"])
        assert late.status_code == 201 and late.json()["period"] == 202611
    early = client.post(f"{API}/funds/close", json={"fund": FUND, "period": 202610},
                        headers=staff["supervisor"])
    assert early.status_code == 403
    filled = client.post(f"{API}/funds/backfill", headers=staff["accountant"])
    assert filled.status_code == 200 and all(isinstance(v, int) for v in filled.json().values())


def test_excel_exports(client, staff):
    manual_entry(client, staff)
    reply = client.get(f"{API}/funds/entries.xlsx", params={"fund": FUND}, headers=staff["supervisor"])
    assert reply.status_code == 200 and "spreadsheetml" in reply.headers["content-type"]
    rows = list(load_workbook(io.BytesIO(reply.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "凭证号" and len(rows) == 2 and float(rows[1][6]) == 12.34
    reply = client.get(f"{API}/funds/trial-balance.xlsx", params={"fund": FUND, "period": 202610},
                       headers=staff["supervisor"])
    rows = list(load_workbook(io.BytesIO(reply.content)).active.iter_rows(values_only=True))
    assert rows[-1][0] == "合计" and float(rows[-1][3]) == float(rows[-1][4]) == 12.34
    bad = client.get(f"{API}/funds/trial-balance.xlsx", params={"fund": "x", "period": 202610},
                     headers=staff["supervisor"])
    assert bad.status_code == 422 and error_of(bad)
