"""The registry pages: statistics with charts and drill-down, the prompt on a flagged person's
staff page, collection there clearing the flag, the portal prompt, file upload with errors."""

from __future__ import annotations

import datetime as dt

from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.enrollment import batch, service
from jingban.enrollment.models import RegistryFlag
from tests.conftest import PASSWORD, REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file, person
from tests.web.helpers import post, sign_in


def _flagged(sessions, settings):
    with sessions() as db:
        someone = person(db, "孙丽", cid(dt.date(1979, 4, 4), 301), dt.date(1979, 4, 4),
                         insurances=("pension_resident", "medical_resident"), phone="", address="")
        db.commit()
        batch.run(db, ADMIN, settings)
        entry = service.entry_for_person(db, someone.id)
        return someone.id, someone.ssn, entry.id


def test_clerk_sees_the_prompt_on_the_person_page_and_fixes_it(client, sessions, settings, make_user):
    person_id, ssn, entry_id = _flagged(sessions, settings)
    make_user("clerk9", "clerk")
    token = sign_in(client, "clerk9")
    page = client.get(f"/persons/{ssn}")
    assert page.status_code == 200
    assert 'id="registry-prompt"' in page.text and "联系电话" in page.text
    detail = client.get(f"/enrollment/entries/{entry_id}")
    assert 'id="prompt"' in detail.text and "常住地址" in detail.text
    bad = post(client, f"/enrollment/entries/{entry_id}/collect", token, {"phone": "", "residence": ""})
    assert bad.status_code == 422 and "请至少填写一项" in bad.text
    done = post(client, f"/enrollment/entries/{entry_id}/collect", token,
                {"phone": "13955556666", "residence": "西湖区文一路2号"}, follow_redirects=False)
    assert done.status_code == 303
    assert 'id="registry-prompt"' not in client.get(f"/persons/{ssn}").text
    with sessions() as db:
        flag = db.query(RegistryFlag).filter_by(entry_id=entry_id).one()
        assert flag.status == "cleared" and flag.cleared_by == "clerk9"


def test_the_portal_prompts_the_person(client, sessions, settings):
    person_id, _ssn, _entry_id = _flagged(sessions, settings)
    with sessions() as db:
        create_user(db, SYSTEM, "sunli", PASSWORD, {"person"}, subject=f"person:{person_id}",
                    profile="fast")
    token = sign_in(client, "sunli")
    home = client.get("/my")
    assert 'id="registry-prompt"' in home.text
    mine = client.get("/my/registry")
    assert 'id="prompt"' in mine.text
    post(client, "/my/registry", token, {"phone": "13955557777", "residence": "西湖区"})
    assert 'id="prompt"' not in client.get("/my/registry").text


def test_dashboard_charts_drill_down_and_upload(client, sessions, settings, make_user):
    _flagged(sessions, settings)
    make_user("admin9", "data_admin")
    token = sign_in(client, "admin9")
    page = client.get("/enrollment")
    assert page.status_code == 200 and "<svg" in page.text and "全民参保登记率" in page.text
    drill = client.get("/enrollment/entries", params={"dimension": "where", "value": "here"})
    assert "孙丽" in drill.text
    assert client.get("/enrollment/entries.xlsx", params={"flag": "inaccurate"}).content[:2] == b"PK"
    rows = [{"citizen_id": cid(dt.date(1980, 1, 2), 401), "name": "钱多", "household_region": REGION},
            {"citizen_id": cid(dt.date(1980, 1, 2), 403), "name": "钱少", "household_region": "999999"}]
    reply = client.post("/enrollment/files", data={"source": "civil", "csrf_token": token},
                        files={"file": ("civil.csv", csv_file(rows), "text/csv")})
    assert reply.status_code == 200, reply.text[-3000:]
    assert "行政区划代码不存在" in reply.text
    ran = post(client, "/enrollment/runs", token, {})
    assert ran.status_code == 200 and "比对完成" in ran.text
