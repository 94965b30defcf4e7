"""The registry over HTTP: upload with broken rows, run, decide, drill down, collect, errors."""

from __future__ import annotations

import datetime as dt

from tests.conftest import REGION, error_of
from tests.enrollment.helpers import cid, csv_file


def test_upload_run_list_collect_over_http(client, login):
    admin, clerk = login("data_admin"), login("clerk")
    rows = [{"citizen_id": cid(dt.date(1980, 1, 2), 201), "name": "周杰", "household_region": REGION},
            {"citizen_id": cid(dt.date(1980, 1, 2), 203), "name": "吴霞", "household_region": "999999"}]
    reply = client.post("/api/v1/enrollment/files", data={"source": "police"}, headers=admin,
                        files={"file": ("police.csv", csv_file(rows), "text/csv")})
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["rejected_rows"][0]["field"] == "household_region"
    refused = client.post("/api/v1/enrollment/files", data={"source": "police"}, headers=clerk,
                          files={"file": ("police.csv", csv_file(rows), "text/csv")})
    assert refused.status_code == 403
    run = client.post("/api/v1/enrollment/runs", headers=admin)
    assert run.status_code == 201 and run.json()["entries"] == 1
    listed = client.get("/api/v1/enrollment/entries", params={"flag": "not_enrolled"}, headers=clerk)
    assert [e["name"] for e in listed.json()] == ["周杰"]
    entry_id = listed.json()[0]["id"]
    one = client.get(f"/api/v1/enrollment/entries/{entry_id}", headers=clerk).json()
    assert "phone" in one["prompt_fields"] and "not_enrolled_reason" in one["prompt_fields"]
    bad = client.post(f"/api/v1/enrollment/entries/{entry_id}/collect", headers=clerk,
                      json={"phone": "139", "colour": "red"})
    assert error_of(bad)["field"] == "colour"
    fixed = client.post(f"/api/v1/enrollment/entries/{entry_id}/collect", headers=clerk,
                        json={"phone": "13912345678", "residence": "西湖区",
                              "not_enrolled_reason": "unaware"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["prompt_fields"] == [] and fixed.json()["sources"]["phone"] == "collection"
    stats = client.get("/api/v1/enrollment/statistics", headers=clerk).json()
    assert stats["summary"]["persons"] == 1
    assert all(r["base"] == 1 for r in stats["tables"]["insurance"])  # over the residents
    xlsx = client.get("/api/v1/enrollment/entries.xlsx", params={"dimension": "sex", "value": "M"},
                      headers=clerk)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert error_of(client.get("/api/v1/enrollment/entries/999999", headers=clerk))["code"] == \
        "registry.entry_not_found"


def test_survey_over_http_refuses_outsiders(client, login, make_user):
    admin, grassroots = login("data_admin"), login("grassroots")
    rows = [{"citizen_id": cid(dt.date(1981, 3, 3), 601), "name": "冯一", "household_region": REGION}]
    client.post("/api/v1/enrollment/files", data={"source": "police"}, headers=admin,
                files={"file": ("p.csv", csv_file(rows), "text/csv")})
    client.post("/api/v1/enrollment/runs", headers=admin)
    made = client.post("/api/v1/enrollment/surveys", json={"division": REGION}, headers=grassroots)
    assert made.status_code == 201, made.text
    list_id = made.json()["id"]
    assert error_of(client.post("/api/v1/enrollment/surveys", json={"division": "999999"},
                                headers=grassroots))["field"] == "division"
    make_user("svA", "surveyor")
    make_user("svB", "surveyor")
    team = client.put(f"/api/v1/enrollment/surveys/{list_id}/team", json={"team": ["svA", "svB"]},
                      headers=grassroots)
    assert team.status_code == 200 and team.json()["team"] == "svA;svB"
    item = client.get(f"/api/v1/enrollment/surveys/{list_id}/items", headers=grassroots).json()[0]
    outsider = login("surveyor")  # a surveyor who is not in the team
    refused = client.post(f"/api/v1/enrollment/survey-items/{item['id']}/entry", headers=outsider,
                          json={"phone": "13800002222"})
    assert error_of(refused)["code"] == "survey.not_in_team"
    pdf = client.get(f"/api/v1/enrollment/surveys/{list_id}/forms.pdf", headers=grassroots)
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    for name in ("forms.xlsx", "summary.xlsx"):
        sheet = client.get(f"/api/v1/enrollment/surveys/{list_id}/{name}", headers=grassroots)
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    summary = client.get(f"/api/v1/enrollment/surveys/{list_id}/summary.pdf", headers=grassroots)
    assert summary.status_code == 200 and summary.content[:4] == b"%PDF"
    lists = client.get("/api/v1/enrollment/surveys", params={"division": REGION}, headers=grassroots)
    assert [s["id"] for s in lists.json()] == [list_id]
    assert client.get("/api/v1/enrollment/surveys", params={"division": "330100"},
                      headers=grassroots).json() == []
    assert error_of(client.get("/api/v1/enrollment/surveys", params={"division": "999999"},
                               headers=grassroots))["code"] == "survey.division_unknown"
