"""The agreements API (issue 13 item 7): the lifecycle through POST /cases, the reads, the price
list import (UTF-8, GBK with a broken row, Excel), the breach steps and their refusals."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from jingban.core import clock
from tests.agreements.helpers import application
from tests.conftest import error_of

HEADER = "项目编码,项目名称,单位,单价,类别,自付比例,每日限量,限性别,最小年龄,最大年龄,生效日期,失效日期\n"


def case(client, headers, item, payload):
    reply = client.post("/api/v1/cases", json={"item": item, "payload": payload}, headers=headers)
    assert reply.status_code == 201, reply.text
    return reply.json()


def approve(client, login, case_id, levels):
    for level, role in ((1, "reviewer_1"), (2, "reviewer_2"))[:levels]:
        reply = client.post(f"/api/v1/cases/{case_id}/decisions", headers=login(role),
                            json={"level": level, "decision": "approve", "reason": "同意"})
        assert reply.status_code == 200, reply.text


def contracted(client, login) -> int:
    mgr = login("agreement_manager")
    applied = case(client, mgr, "AGR-APPLY", application())
    inst_id = int(applied["subject"].split(":")[1])
    today = clock.today()
    review = case(client, mgr, "AGR-REVIEW", {"institution_id": inst_id, "evaluated_on": today.isoformat(),
                                              "result": "pass", "note": "现场评估合格"})
    approve(client, login, review["id"], 1)
    sign = case(client, mgr, "AGR-SIGN", {"institution_id": inst_id, "kind": "medical",
                                          "starts_on": today.isoformat(),
                                          "ends_on": (today + dt.timedelta(days=700)).isoformat(),
                                          "terms": {"scope": "门诊"}})
    approve(client, login, sign["id"], 2)
    return inst_id


def test_lifecycle_reads_and_export(client, login):
    inst_id = contracted(client, login)
    mgr = login("agreement_manager")
    detail = client.get(f"/api/v1/agreements/institutions/{inst_id}", headers=mgr).json()
    assert detail["status"] == "contracted" and len(detail["departments"]) == 2
    assert detail["agreements"][0]["status"] == "signed"
    history = client.get(f"/api/v1/agreements/institutions/{inst_id}/history", headers=mgr).json()
    assert [h["step"] for h in history] == ["apply", "review", "sign"]
    listed = client.get("/api/v1/agreements/institutions?status=contracted", headers=mgr).json()
    assert [i["id"] for i in listed] == [inst_id]
    sheet = client.get("/api/v1/agreements/institutions.xlsx", headers=mgr)
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert rows[0][0] == "统一社会信用代码" and rows[1][7] == "已签协议" and rows[1][8].startswith("FWXY")
    assert client.get("/api/v1/agreements/institutions", headers=login("clerk")).status_code == 403


def upload(client, headers, inst_id, name, content):
    return client.post(f"/api/v1/agreements/institutions/{inst_id}/prices", headers=headers,
                       files={"file": (name, content)})


def test_price_list_import(client, login):
    inst_id = contracted(client, login)
    mgr = login("agreement_manager")
    text = (HEADER + "A001,一般诊疗费,次,10.00,甲,0,,,,,2026-01-01,\n"
            "B002,彩超检查,次,180.50,乙,10,2,,,,2026-01-01,\n"
            "C003,前列腺特异抗原测定,项,45,乙,10,1,1,18,,2026-01-01,\n"
            "D004,坏行,次,-5,甲,0,,,,,2026-01-01,\n"
            "E005,类别错,次,5,丁,0,,,,,2026-01-01,\n")
    reply = upload(client, mgr, inst_id, "prices.csv", text.encode("utf-8"))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["imported"] == 3 and [(b["line"], b["field"]) for b in body["bad"]] == [
        (5, "unit_price"), (6, "category")]
    again = upload(client, mgr, inst_id, "prices.csv", text.encode("utf-8")).json()
    assert again["imported"] == 0 and again["unchanged"] == 3
    gbk = (HEADER + "A001,一般诊疗费,次,12.00,甲,0,,,,,2026-12-01,\n").encode("gbk")
    gbk += b"X9,\xff\xfe\xfd,\xce,1,\xbc\xd7,0,,,,,2026-12-01,\n"
    gbk += "F006,针灸,次,30,丙,,,,,,2026-12-01,\n".encode("gbk")
    reply = upload(client, mgr, inst_id, "prices-gbk.csv", gbk).json()
    assert reply["imported"] == 2 and [(b["line"], b["field"]) for b in reply["bad"]] == [(3, "file")]
    nov = client.get(f"/api/v1/agreements/institutions/{inst_id}/prices?on=2026-11-30", headers=mgr).json()
    dec = client.get(f"/api/v1/agreements/institutions/{inst_id}/prices?on=2026-12-01", headers=mgr).json()
    assert {p["code"]: p["unit_price_fen"] for p in nov} == {"A001": 1000, "B002": 18050, "C003": 4500}
    assert {p["code"]: p["unit_price_fen"] for p in dec}["A001"] == 1200
    assert next(p for p in dec if p["code"] == "F006")["self_pay_bp"] == 10000
    c003 = next(p for p in nov if p["code"] == "C003")
    assert (c003["sex_only"], c003["min_age"], c003["daily_limit"], c003["self_pay_bp"]) == ("1", 18, 1, 1000)
    book = Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(["G007", "换药", "次", 15, "甲", 0, None, None, None, None, "2026-01-01", None])
    out = io.BytesIO()
    book.save(out)
    assert upload(client, mgr, inst_id, "prices.xlsx", out.getvalue()).json()["imported"] == 1
    err = error_of(upload(client, mgr, inst_id, "bad.csv", "编码,名称\nA,B\n".encode()))
    assert err["code"] == "prices.header"


def test_breach_steps_and_refusals(client, login):
    inst_id = contracted(client, login)
    mgr = login("agreement_manager")
    depts = client.get(f"/api/v1/agreements/institutions/{inst_id}", headers=mgr).json()["departments"]
    body = {"institution_id": inst_id, "measure": "suspend_department", "facts": "挂床住院3例",
            "department_id": depts[0]["id"], "months": 13}
    err = error_of(client.post("/api/v1/agreements/breaches", json=body, headers=mgr))
    assert err["code"] == "breach.months" and err["field"] == "months"
    body["months"] = 2
    reply = client.post("/api/v1/agreements/breaches", json=body, headers=mgr)
    assert reply.status_code == 201, reply.text
    breach = reply.json()
    err = error_of(client.post(f"/api/v1/agreements/breaches/{breach['id']}/decision",
                               json={"reason": "事实清楚"}, headers=mgr))
    assert err["code"] == "breach.statement_period"
    reply = client.post(f"/api/v1/agreements/breaches/{breach['id']}/statement",
                        json={"text": "系病人自行离院，非挂床"}, headers=mgr)
    assert reply.json()["status"] == "stated"
    reply = client.post(f"/api/v1/agreements/breaches/{breach['id']}/decision",
                        json={"reason": "申辩理由不成立"}, headers=mgr)
    assert reply.status_code == 201, reply.text
    approve(client, login, reply.json()["id"], 2)
    done = client.get(f"/api/v1/agreements/breaches?institution_id={inst_id}", headers=mgr).json()
    assert done[0]["status"] == "decided" and done[0]["credit_record_id"]
    unknown = error_of(client.post("/api/v1/agreements/breaches", headers=mgr, json={
        "institution_id": 999999, "measure": "urge", "facts": "x"}))
    assert unknown["code"] == "institution.not_found"


def test_by_uscc_and_the_decision_pdf(client, login):
    inst_id = contracted(client, login)
    mgr = login("agreement_manager")
    code = client.get(f"/api/v1/agreements/institutions/{inst_id}", headers=mgr).json()["uscc"]
    assert client.get(f"/api/v1/agreements/institutions/by-uscc/{code.lower()}",
                      headers=mgr).json()["id"] == inst_id
    unknown = error_of(client.get(f"/api/v1/agreements/institutions/by-uscc/{application()['uscc']}",
                                  headers=mgr))
    assert unknown["code"] == "institution.unknown_uscc"
    bad = error_of(client.get("/api/v1/agreements/institutions/by-uscc/91330106MA0000000X", headers=mgr))
    assert bad["code"].startswith("uscc.")
    breach = client.post("/api/v1/agreements/breaches", headers=mgr, json={
        "institution_id": inst_id, "measure": "recover", "facts": "重复收费", "amount": "88.80"}).json()
    notice = client.get(f"/api/v1/agreements/breaches/{breach['id']}/pdf", headers=mgr)
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in notice.headers["content-disposition"]
