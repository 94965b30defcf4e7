"""Feeds take effect through registration, on channel "feed", visible in the subject's history."""

from __future__ import annotations

import datetime as dt

from jingban.core import clock
from jingban.registration.rules import end_of_month
from tests.conftest import REGION, citizen_id, employer_body, person_body, uscc
from tests.sharing.helpers import employer_csv, population_json, upload


def test_employer_setup_change_cancel(client, login):
    h = login("data_admin")
    code, today = uscc(), clock.today()
    opened = today - dt.timedelta(days=30)
    content = employer_csv([
        {"event_id": "SC-1", "action": "setup", "uscc": code, "name": "杭州共享科技有限公司",
         "kind": "企业", "region": REGION, "address": "杭州市西湖区文一路1号",
         "legal_rep": "王五", "effective_date": opened.isoformat()},
        {"event_id": "SC-2", "action": "change", "uscc": code, "address": "杭州市西湖区文二路2号"},
        {"event_id": "SC-3", "action": "cancel", "uscc": code, "effective_date": today.isoformat()},
    ], bom=True)
    reply = upload(client, h, "employer", content)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["total"], body["processed"], body["repeat"], body["rejected_rows"]) == (
        3, 3, False, [])

    employer = client.get(f"/api/v1/employers/{code}", headers=h).json()
    assert employer["status"] == "cancelled"
    assert employer["kind"] == "enterprise"
    assert employer["address"] == "杭州市西湖区文二路2号"
    assert employer["registered_on"] == opened.isoformat()
    assert employer["cancelled_on"] == today.isoformat()

    history = client.get(f"/api/v1/employers/{code}/history", headers=h).json()
    assert [e["act"] for e in history] == ["registration.register_employer",
                                           "registration.change_employer",
                                           "registration.cancel_employer"]
    assert {e["channel"] for e in history} == {"feed"}
    assert history[1]["reason"] == "登记管理机关变更信息共享"
    assert history[1]["changes"]["address"] == ["杭州市西湖区文一路1号", "杭州市西湖区文二路2号"]

    detail = client.get(f"/api/v1/sharing/batches/{body['id']}", headers=h).json()
    assert [r["line"] for r in detail["records"]] == [2, 3, 4]
    assert detail["records"][0]["subject"].startswith("employer:")
    assert detail["records"][1]["raw"].startswith("SC-2,change,")
    assert detail["header"] == ",".join(["event_id", "action", "uscc", "name", "kind", "region",
                                         "address", "legal_rep", "effective_date"])


def test_cancel_with_arrears_is_flagged_not_cancelled(client, login):
    clerk, h = login("clerk"), login("data_admin")
    body = employer_body()
    assert client.post("/api/v1/employers", json=body, headers=clerk).status_code == 201
    owed = client.post(f"/api/v1/employers/{body['uscc']}/liabilities",
                       json={"kind": "arrears", "amount": "1200.50", "period": 202401},
                       headers=login("accountant"))
    assert owed.status_code == 201, owed.text
    content = employer_csv([{"event_id": "SC-9", "action": "cancel", "uscc": body["uscc"]}])
    reply = upload(client, h, "employer", content)
    assert reply.status_code == 201, reply.text
    assert reply.json()["processed"] == 1

    employer = client.get(f"/api/v1/employers/{body['uscc']}", headers=h).json()
    assert employer["status"] == "active"
    assert employer["flag"] == "登记管理机关已注销，存在未结清欠费，待处理"
    last = client.get(f"/api/v1/employers/{body['uscc']}/history", headers=h).json()[-1]
    assert (last["act"], last["channel"]) == ("registration.flag_employer", "feed")
    record = client.get(f"/api/v1/sharing/batches/{reply.json()['id']}",
                        headers=h).json()["records"][0]
    assert record["status"] == "processed"
    assert "1200.50" in record["note"]


def test_population_birth_move_death(client, login):
    clerk, h = login("clerk"), login("data_admin")
    adult = client.post("/api/v1/persons", json=person_body(), headers=clerk).json()["ssn"]
    start = clock.today().replace(day=1)
    enrolled = client.post(f"/api/v1/persons/{adult}/enrollments",
                           json={"insurance": "medical_resident", "start_date": start.isoformat()},
                           headers=clerk)
    assert enrolled.status_code == 201, enrolled.text
    baby = citizen_id(dt.date(2024, 3, 9))
    today = clock.today()
    content = population_json([
        {"event_id": "PB-1", "event": "birth", "citizen_id": baby, "name": "小明",
         "birth_date": "20240309", "household_region": REGION},
        {"event_id": "PM-1", "event": "move", "citizen_id": adult, "household_region": "330102",
         "address": "杭州市上城区解放路8号"},
        {"event_id": "PD-1", "event": "death", "citizen_id": adult,
         "death_date": today.isoformat()},
        {"event_id": "PD-2", "event": "death", "citizen_id": citizen_id(),
         "death_date": today.isoformat()},
    ])
    reply = upload(client, h, "population", content, "population.json")
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["processed"], body["skipped"], body["rejected"]) == (3, 1, 0), body

    newborn = client.get(f"/api/v1/persons/{baby}", headers=h).json()
    assert (newborn["name"], newborn["birth_date"]) == ("小明", "2024-03-09")
    person = client.get(f"/api/v1/persons/{adult}", headers=h).json()
    assert (person["status"], person["death_date"]) == ("deceased", today.isoformat())
    assert person["household_region"] == "330102"
    assert [(e["status"], e["end_date"]) for e in person["enrollments"]] == [
        ("ended", end_of_month(today).isoformat())]

    history = client.get(f"/api/v1/persons/{adult}/history", headers=h).json()
    feed = [(e["act"], e["reason"]) for e in history if e["channel"] == "feed"]
    assert feed == [("registration.change_person", "户籍迁移信息共享"),
                    ("registration.record_death", "死亡信息共享")]

    records = client.get(f"/api/v1/sharing/batches/{body['id']}", headers=h).json()["records"]
    assert [r["line"] for r in records] == [2, 10, 17, 23]  # one line per key with indent=2
    assert records[0]["raw"].startswith("{") and '"PB-1"' in records[0]["raw"]
    assert records[3]["status"] == "skipped"
    assert "本地无该人员" in records[3]["note"]


def test_setup_of_a_registered_employer_is_compared_and_flagged(client, login):
    clerk, h = login("clerk"), login("data_admin")
    body = employer_body()
    client.post("/api/v1/employers", json=body, headers=clerk)
    same = {"event_id": "CMP-1", "action": "setup", "uscc": body["uscc"], "name": body["name"],
            "kind": "enterprise", "region": REGION}
    reply = upload(client, h, "employer", employer_csv([same])).json()
    assert (reply["skipped"], reply["processed"]) == (1, 0)
    differs = {**same, "event_id": "CMP-2", "legal_rep": "赵六", "address": "杭州市滨江区"}
    reply = upload(client, h, "employer", employer_csv([differs])).json()
    assert reply["processed"] == 1
    employer = client.get(f"/api/v1/employers/{body['uscc']}", headers=h).json()
    assert "法定代表人" in employer["flag"] and "地址" in employer["flag"]
    assert employer["legal_rep"] == body["legal_rep"]  # flagged for staff, not overwritten
