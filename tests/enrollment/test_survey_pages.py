"""The survey pages (E§15–§19): a list generated for a community, the team of 2–3, entry on the
phone page, the grassroots review and the county approval — and the refusals: a surveyor outside
the team, the one who entered reviewing it, an unknown division, each with its code and field."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from io import BytesIO

from openpyxl import load_workbook

from jingban.enrollment import batch, service
from jingban.enrollment.models import RegistryEntry
from tests.conftest import PASSWORD, REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file
from tests.web.helpers import post, sign_in

COMMUNITY = f"{REGION}001002"


def _registry(sessions, settings):
    rows = [{"citizen_id": cid(dt.date(1970, 1, 1), 701), "name": "冯一", "household_region": REGION,
             "residence_region": COMMUNITY},
            {"citizen_id": cid(dt.date(1975, 1, 1), 703), "name": "冯二", "household_region": REGION,
             "residence_region": COMMUNITY}]
    with sessions() as db:
        service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file(rows))
        batch.run(db, ADMIN, settings)


def _users(make_user):
    make_user("gr1", "grassroots")
    make_user("sv1", "surveyor")
    make_user("sv2", "surveyor", "grassroots")
    make_user("sv3", "surveyor")
    make_user("county1", "data_admin")


def _generate(client) -> int:
    token = sign_in(client, "gr1")
    bad = post(client, "/enrollment/surveys", token, {"division": "999999001"})
    assert bad.status_code == 422 and "行政区划代码 999999 不存在" in bad.text
    assert "survey.division_unknown" in bad.text and "行政区划" in bad.text
    made = post(client, "/enrollment/surveys", token, {"division": COMMUNITY}, follow_redirects=False)
    assert made.status_code == 303
    list_id = int(re.search(r"/enrollment/surveys/(\d+)", made.headers["location"]).group(1))
    page = client.get(made.headers["location"])
    assert "冯一" in page.text and "冯二" in page.text and "社区（村）" in page.text
    small = post(client, f"/enrollment/surveys/{list_id}/team", token, {"member1": "sv1"})
    assert small.status_code == 422 and "survey.team_size" in small.text
    post(client, f"/enrollment/surveys/{list_id}/team", token, {"member1": "sv1", "member2": "sv2"})
    listed = client.get("/enrollment/surveys", params={"division": REGION})
    assert f'href="/enrollment/surveys/{list_id}"' in listed.text and "sv1、sv2" in listed.text
    return list_id


def _items(client, list_id) -> list[int]:
    return [int(n) for n in re.findall(r'id="item-(\d+)"', client.get(f"/enrollment/surveys/{list_id}").text)]


def test_a_list_from_generation_to_county_approval(client, sessions, settings, make_user):
    _registry(sessions, settings)
    _users(make_user)
    list_id = _generate(client)
    first, second = _items(client, list_id)
    token = sign_in(client, "sv3")
    outside = post(client, f"/enrollment/survey-items/{first}/entry", token, {"phone": "13512345678"})
    assert outside.status_code == 403 and "您不是该调查名单的调查员" in outside.text
    assert "survey.not_in_team" in outside.text
    token = sign_in(client, "sv1")
    page = client.get(f"/enrollment/survey-items/{first}")
    assert page.status_code == 200 and "联系电话" in page.text and 'id="collect-form"' in page.text
    wrong = post(client, f"/enrollment/survey-items/{first}/entry", token, {"employment_status": "astronaut"})
    assert wrong.status_code == 422 and "项目：就业状态" in wrong.text
    done = post(client, f"/enrollment/survey-items/{first}/entry", token,
                {"phone": "13512345678", "residence": "社区二组5号", "not_enrolled_reason": "unaware"},
                follow_redirects=False)
    assert done.status_code == 303
    token = sign_in(client, "sv2")  # surveyor and grassroots: may not review his own entry
    post(client, f"/enrollment/survey-items/{second}/entry", token,
         {"phone": "13512340000", "residence": "社区三组1号", "not_enrolled_reason": "unwilling"})
    own = post(client, f"/enrollment/survey-items/{second}/review", token, {"decision": "accept"})
    assert own.status_code == 403 and "不能审核或审定本人录入的调查信息" in own.text
    assert "survey.own_entry" in own.text
    token = sign_in(client, "gr1")
    post(client, f"/enrollment/survey-items/{first}/review", token, {"decision": "accept"})
    post(client, f"/enrollment/survey-items/{second}/review", token, {"decision": "return",
                                                                        "note": "地址不详"})
    page = client.get(f"/enrollment/surveys/{list_id}")
    assert "已审核待审定" in page.text and "已退回重新调查（地址不详）" in page.text
    token = sign_in(client, "county1")
    approved = post(client, f"/enrollment/survey-items/{first}/approval", token, {},
                    follow_redirects=False)
    assert approved.status_code == 303
    again = post(client, f"/enrollment/survey-items/{first}/approval", token, {})
    assert again.status_code == 409 and "survey.state" in again.text
    assert "已审定入库" in client.get(f"/enrollment/surveys/{list_id}").text
    with sessions() as db:
        entry = db.query(RegistryEntry).filter_by(name="冯一").one()
        assert entry.phone == "13512345678" and entry.status == "confirmed"
        assert service.entry_sources(entry)["phone"] == "survey"


def test_the_forms_and_the_summary_sheet(client, sessions, settings, make_user):
    _registry(sessions, settings)
    _users(make_user)
    list_id = _generate(client)
    for name in ("forms.pdf", "summary.pdf"):
        reply = client.get(f"/enrollment/surveys/{list_id}/{name}")
        assert reply.status_code == 200 and reply.content[:4] == b"%PDF"
        text = subprocess.run(["pdftotext", "-", "-"], input=reply.content,
                              capture_output=True).stdout.decode()
        assert "冯一" in text and "冯二" in text
    assert "个人信息汇总表" in text and "待调查" in text
    forms = load_workbook(BytesIO(client.get(f"/enrollment/surveys/{list_id}/forms.xlsx").content)).active
    assert [c.value for c in forms[1]][-3:] == ["调查核实情况", "调查员签名", "被调查人签名"]
    assert {r[1].value for r in forms.iter_rows(min_row=2)} == {"冯一", "冯二"}
    summary = load_workbook(BytesIO(client.get(f"/enrollment/surveys/{list_id}/summary.xlsx").content)).active
    assert [r[-1].value for r in summary.iter_rows(min_row=2)] == ["待调查", "待调查"]


def test_a_list_is_refused_to_those_outside_its_team_on_page_and_api(client, sessions, settings,
                                                                      make_user):
    """Finding 8: a surveyor outside the team (sv3) and a clerk get 403 with the code and a
    Chinese message on every page and API read of the list, and none of its persons."""
    from tests.conftest import error_of

    _registry(sessions, settings)
    _users(make_user)
    make_user("clerk9", "clerk")
    list_id = _generate(client)
    first, _second = _items(client, list_id)
    reads = [f"/enrollment/surveys/{list_id}", f"/enrollment/survey-items/{first}",
             *(f"/enrollment/surveys/{list_id}/{n}" for n in ("forms.pdf", "forms.xlsx", "summary.pdf",
                                                             "summary.xlsx"))]
    api = [f"/api/v1/enrollment/surveys/{list_id}/items",
           *(f"/api/v1/enrollment/surveys/{list_id}/{n}" for n in ("forms.pdf", "forms.xlsx",
                                                                  "summary.pdf", "summary.xlsx"))]
    for outsider in ("sv3", "clerk9"):
        sign_in(client, outsider)
        for url in reads:
            page = client.get(url)
            assert page.status_code == 403, url
            assert "survey.list_forbidden" in page.text and "不是该调查名单的调查员" in page.text
            assert "冯一" not in page.text and "冯二" not in page.text
        overview = client.get("/enrollment/surveys")
        assert overview.status_code == 200 and f'href="/enrollment/surveys/{list_id}"' not in overview.text
        bearer = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", data={
            "username": outsider, "password": PASSWORD}).json()["access_token"]}
        for url in api:
            refused = client.get(url, headers=bearer)
            assert error_of(refused)["code"] == "survey.list_forbidden", url
            assert refused.status_code == 403 and "冯一" not in refused.text
        listed = client.get("/api/v1/enrollment/surveys", headers=bearer).json()
        assert list_id not in [s["id"] for s in listed]
    sign_in(client, "sv1")  # the team reads it
    assert client.get(f"/enrollment/surveys/{list_id}").status_code == 200
    assert client.get(f"/enrollment/survey-items/{first}").status_code == 200
    sign_in(client, "county1")
    assert client.get(f"/enrollment/surveys/{list_id}/forms.pdf").status_code == 200
