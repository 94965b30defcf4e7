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


def test_issue14_bad_input_end_to_end_over_http(client, login, make_user, sessions):
    """Issue 14's bad-input list over the API, each refused with its code, a Chinese message and
    the field, and nothing lost or half-written: a file with broken rows (an unclosed quote, an
    unknown division) keeps the rest; a survey list for an unknown division is not made; an
    entry by a surveyor outside the team and an approval by the one who entered change nothing."""
    from sqlalchemy import func, select

    from jingban.core.actor import SYSTEM
    from jingban.core.auth import set_roles
    from jingban.enrollment.models import RegistryEntry, SurveyItem, SurveyList
    from tests.conftest import PASSWORD

    admin, grassroots = login("data_admin"), login("grassroots")
    one, two, three = (cid(dt.date(1982, 4, 4), n) for n in (801, 803, 805))
    text = ("citizen_id,name,household_region,residence_region\n"
            f'{one},"褚一,{REGION},{REGION}001002\n'  # 2: the quote is never closed
            f"{two},褚二,{REGION},999999001002\n"  # 3: no such county
            f"{three},褚三,{REGION},{REGION}001002\n")  # 4: good, read after the broken quote
    reply = client.post("/api/v1/enrollment/files", data={"source": "police"}, headers=admin,
                        files={"file": ("police.csv", text.encode(), "text/csv")})
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["total"], body["accepted"], body["rejected"]) == (3, 1, 2)
    assert [(r["line"], r["code"], r["field"]) for r in body["rejected_rows"]] == [
        (2, "registry.row", None), (3, "region.unknown", "residence_region")]
    assert all(any("\u4e00" <= c <= "\u9fff" for c in r["message"]) for r in body["rejected_rows"])
    again = client.get(f"/api/v1/enrollment/files/{body['id']}", headers=admin).json()
    assert again["rejected_rows"] == body["rejected_rows"]
    assert client.post("/api/v1/enrollment/runs", headers=admin).status_code == 201

    with sessions() as db:
        lists = db.execute(select(func.count()).select_from(SurveyList)).scalar_one()
    bad = client.post("/api/v1/enrollment/surveys", json={"division": "999999001002"}, headers=grassroots)
    assert bad.status_code == 422 and error_of(bad)["code"] == "survey.division_unknown"
    assert error_of(bad)["field"] == "division"
    with sessions() as db:
        assert db.execute(select(func.count()).select_from(SurveyList)).scalar_one() == lists

    made = client.post("/api/v1/enrollment/surveys", json={"division": f"{REGION}001002"},
                       headers=grassroots).json()
    make_user("svE", "surveyor")
    make_user("svF", "surveyor")
    client.put(f"/api/v1/enrollment/surveys/{made['id']}/team", json={"team": ["svE", "svF"]},
               headers=grassroots)
    item = client.get(f"/api/v1/enrollment/surveys/{made['id']}/items", headers=grassroots).json()[0]
    assert item["name"] == "褚三"
    outsider = login("surveyor")
    refused = client.post(f"/api/v1/enrollment/survey-items/{item['id']}/entry", headers=outsider,
                          json={"phone": "13800008888"})
    assert refused.status_code == 403 and error_of(refused)["code"] == "survey.not_in_team"

    def bearer(username: str) -> dict:
        token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        return {"Authorization": f"Bearer {token.json()['access_token']}"}

    entered = client.post(f"/api/v1/enrollment/survey-items/{item['id']}/entry", headers=bearer("svE"),
                          json={"phone": "13800008888", "residence": "社区一组2号"})
    assert entered.status_code == 200 and entered.json()["status"] == "entered"
    reviewed = client.post(f"/api/v1/enrollment/survey-items/{item['id']}/review", headers=grassroots,
                           json={"accept": True})
    assert reviewed.json()["status"] == "reviewed"
    with sessions() as db:  # the surveyor moves to the county: he still may not approve his entry
        set_roles(db, SYSTEM, "svE", {"data_admin"})
        db.commit()
    own = client.post(f"/api/v1/enrollment/survey-items/{item['id']}/approval", headers=bearer("svE"))
    assert own.status_code == 403 and error_of(own)["code"] == "survey.own_entry"
    with sessions() as db:
        assert db.get(SurveyItem, item["id"]).status == "reviewed"
        person = db.get(RegistryEntry, item["entry_id"])
        assert (person.phone, person.status) == ("", "investigate")
    approved = client.post(f"/api/v1/enrollment/survey-items/{item['id']}/approval", headers=admin)
    assert approved.status_code == 200 and approved.json()["approved_by"] != "svE"
    with sessions() as db:
        assert db.get(RegistryEntry, item["entry_id"]).phone == "13800008888"
