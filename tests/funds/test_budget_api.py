"""The fund budget API: draft for fund and year, edit, submit, return, approve, revise, list,
execution and the two .xlsx exports (opened with openpyxl, values in yuan); refusals with
code and field."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from jingban.core import clock
from tests.funds.test_budget import FUND, _next_year, _this_year

URL = "/api/v1/funds/budgets"


def _rows(content: bytes, key: int = 1) -> dict:
    sheet = load_workbook(BytesIO(content)).active
    return {r[key]: r for r in sheet.iter_rows(min_row=2, values_only=True)}


def test_budget_flow_over_the_api(client, login, sessions):
    with sessions() as db:
        _this_year(db)
    acc, rev, cashier = login("accountant"), login("reviewer_1"), login("cashier")
    with clock.travel("2026-10-15"):
        assert client.post(URL, headers=cashier, json={"fund": FUND, "year": 2027}).status_code == 403
        wrong = client.post(URL, headers=acc, json={"fund": FUND, "year": 2026})
        assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "year"
        sent = client.post(URL, headers=acc, json={"fund": FUND, "year": 2027})
    assert sent.status_code == 201, sent.text
    budget = sent.json()
    url = f"{URL}/{budget['id']}"
    items = {x["item"]: x for x in budget["items"]}
    assert items["contribution"]["estimate"] == 12_000_000 and items["contribution"]["accounts"] == [4001]
    assert (budget["status"], budget["basis_months"], budget["balance"]) == ("draft", 9, 8_133_333)
    negative = client.put(f"{url}/items", headers=acc, json={"items": [{"item": "benefits", "amount": -5}]})
    assert negative.status_code == 422
    assert negative.json()["error"] == {"code": "funds.budget_negative", "message": "预算数不能为负数",
                                        "field": "items.benefits.amount"}
    unknown = client.put(f"{url}/items", headers=acc, json={"items": [{"item": "lottery", "amount": 5}]})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "funds.budget_item"
    edited = client.put(f"{url}/items", headers=acc,
                        json={"items": [{"item": "fiscal_subsidy", "amount": 1_000_000,
                                               "note": "财政预算安排"}]})
    assert edited.status_code == 200 and edited.json()["income"] == 13_133_333
    assert client.post(f"{url}/submit", headers=acc).json()["status"] == "submitted"
    locked = client.put(f"{url}/items", headers=acc, json={"items": [{"item": "interest", "amount": 1}]})
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "funds.budget_locked"
    assert client.post(f"{url}/approve", headers=acc).status_code == 403
    assert client.post(f"{url}/return", headers=rev, json={"reason": ""}).status_code == 422
    back = client.post(f"{url}/return", headers=rev, json={"reason": "请补充说明"})
    assert back.json()["status"] == "returned" and back.json()["return_reason"] == "请补充说明"
    client.post(f"{url}/submit", headers=acc)
    done = client.post(f"{url}/approve", headers=rev)
    assert done.status_code == 200 and done.json()["status"] == "approved"
    listed = client.get(URL, headers=cashier, params={"fund": FUND, "year": 2027})
    assert [b["id"] for b in listed.json()] == [budget["id"]]
    sheet = client.get(f"{url}.xlsx", headers=cashier)
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")
    rows = _rows(sheet.content)
    assert float(rows["社会保险费收入"][5]) == 120000.00 and float(rows["财政补贴收入"][5]) == 10000.00
    assert rows["财政补贴收入"][6] == "财政预算安排" and float(rows["收入合计"][5]) == 131333.33
    _next_year_over(sessions)
    with clock.travel("2027-03-31"):
        shown = client.get(f"{url}/execution", headers=cashier)
        sheet = client.get(f"{url}/execution.xlsx", headers=cashier)
    assert shown.status_code == 200 and shown.json()["periods"] == [202701, 202702, 202703]
    benefits = next(r for r in shown.json()["rows"] if r["item"] == "benefits")
    assert (benefits["percent"], benefits["remaining"]) == (50.0, 2_000_000)
    rows = _rows(sheet.content, key=0)
    assert [float(x) for x in rows["社会保险待遇支出"][1:6]] == [40000.0, 0.0, 20000.0, 0.0, 20000.0]
    with clock.travel("2027-06-15"):
        revised = client.post(f"{url}/revise", headers=acc)
    assert revised.status_code == 201 and revised.json()["version"] == 2
    assert [b["version"] for b in revised.json()["history"]] == [1, 2]
    assert client.get(f"{URL}/999999", headers=acc).json()["error"]["code"] == "funds.budget_not_found"


def _next_year_over(sessions):
    with sessions() as db:
        _next_year(db)


def test_bad_input_is_a_4xx_with_code_and_field(client, login):
    acc = login("accountant")
    with clock.travel("2026-10-15"):
        budget = client.post(URL, headers=acc, json={"fund": FUND, "year": 2027}).json()
        for body in [{"fund": "x" * 30, "year": 2027}, {"fund": FUND}, {"fund": FUND, "year": "abc"},
                     {"fund": FUND, "year": 2027, "extra": 1}]:
            reply = client.post(URL, headers=acc, json=body)
            assert reply.status_code == 422 and reply.json()["error"]["field"], body
    url = f"{URL}/{budget['id']}/items"
    for item, code in [({"item": "benefits", "amount": 10**30}, "money.too_large"),
                       ({"item": "benefits", "amount": 1.5}, "validation.int_from_float"),
                       ({"item": "benefits", "amount": 1, "note": " " * 300}, None),
                       ({"item": "", "amount": 1}, "funds.budget_item")]:
        reply = client.put(url, headers=acc, json={"items": [item]})
        if code is None:
            assert reply.status_code == 200
            continue
        assert reply.status_code == 422 and reply.json()["error"]["code"] == code, reply.text
    assert client.put(url, headers=acc, json={"items": []}).json()["error"]["code"] == "funds.budget_items"
    assert client.post(f"{URL}/{budget['id']}/revise", headers=acc).status_code == 409
