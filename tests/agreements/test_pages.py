"""The agreement manager's pages (issue 13 item 7): apply through the list, review and the breach
steps on the institution page, refusals shown in the form, the Excel export, the price list."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from jingban.agreements.breaches.models import BreachMeasure
from jingban.cases import service as cases
from jingban.core import clock
from tests.agreements.helpers import MANAGER, applied, contracted
from tests.conftest import uscc
from tests.web.helpers import post, sign_in


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def test_manager_applies_reviews_and_handles_a_breach(client, make_user, sessions):
    make_user("pmgr", "agreement_manager")
    token = sign_in(client, "pmgr")
    assert "受理定点申请" in client.get("/agreements").text
    body = {"uscc": uscc(), "name": "杭州市测试大药房", "kind": "pharmacy", "address": "杭州市西湖区1号",
            "licence_no": "YPJY001", "departments": "YF 药房",
            "licence_valid_to": (clock.today() + dt.timedelta(days=900)).isoformat()}
    bad = post(client, "/agreements", token, {**body, "uscc": "91330106MA0000000X"})
    assert bad.status_code == 422 and "统一社会信用代码" in bad.text
    made = post(client, "/agreements", token, body, follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    page = client.get(url).text
    assert "杭州市测试大药房" in page and "评估审核（现场评估记录）" in page and "定点申请" in page
    reviewed = post(client, f"{url}/cases/review", token, {"evaluated_on": clock.today().isoformat(),
                                                           "result": "pass", "note": "现场评估合格"},
                    follow_redirects=False)
    assert reviewed.status_code == 303
    with sessions() as db:
        inst = contracted(db)
    page = client.get(f"/agreements/{inst.id}").text
    assert "违约处理告知" in page and "FWXY" in page
    long = post(client, f"/agreements/{inst.id}/breaches", token,
                {"measure": "suspend_department", "facts": "挂床住院", "months": "13"})
    assert long.status_code == 422 and "中止部门服务须指明所在部门" in long.text
    noticed = post(client, f"/agreements/{inst.id}/breaches", token,
                   {"measure": "urge", "facts": "未按规定上传结算清单"}, follow_redirects=False)
    assert noticed.status_code == 303
    page = client.get(f"/agreements/{inst.id}").text
    assert "已告知，陈述申辩期内" in page
    with sessions() as db:
        breach_id = db.query(BreachMeasure.id).scalar()
    early = post(client, f"/agreements/{inst.id}/breaches/{breach_id}/decision", token,
                 {"reason": "直接决定"})
    assert early.status_code == 409 and "期限届满前不得作出决定" in early.text
    sheet = client.get("/agreements/export.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert len(rows) == 3 and rows[0][1] == "机构名称"
    csv = ("项目编码,项目名称,单位,单价,类别,生效日期\nA1,挂号费,次,5,甲,2026-01-01\n"
           "B2,坏,次,x,甲,2026-01-01\n")
    imported = client.post(f"/agreements/{inst.id}/prices", data={"csrf_token": token},
                           files={"file": ("p.csv", csv.encode("gbk"))})
    assert "新增或更新1项" in imported.text and "第3行" in imported.text and "挂号费" in imported.text


def test_case_pages_of_the_agreement_items(client, make_user, sessions):
    make_user("pmgr2", "agreement_manager")
    make_user("prev1", "reviewer_1")
    sign_in(client, "pmgr2")
    intake = client.get("/cases/new")
    assert intake.status_code == 200 and "AGR-APPLY" in intake.text
    for code in ("AGR-APPLY", "AGR-REVIEW", "AGR-SIGN", "AGR-BREACH"):
        assert client.get(f"/cases/new/{code}").status_code == 200, code
    with sessions() as db:
        inst = applied(db)
        case = cases.submit(db, MANAGER, "AGR-REVIEW", {
            "institution_id": inst.id, "evaluated_on": clock.today().isoformat(), "result": "pass",
            "note": "现场评估合格"})
    sign_in(client, "prev1")
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "定点申请评估审核" in page.text
    assert "定点申请评估审核" in client.get("/cases/queue").text
