"""The household survey (E§15–§19): lists by division, teams of 2–3, entry only by the team,
review and approval never by the one who entered, approved values clearing the flags; the
registration form as PDF and the community summary as Excel."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlalchemy import select

from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from jingban.core.errors import Conflict, InvalidInput, PermissionDenied
from jingban.enrollment import batch, service, survey
from jingban.enrollment.models import RegistryEntry, RegistryFlag
from tests.conftest import PASSWORD, REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file

GRASSROOTS = Actor("gr1", frozenset({"grassroots"}), False, "counter")
S1, S2, S3 = (Actor(f"sv{i}", frozenset({"surveyor"}), False, "counter") for i in (1, 2, 3))


@pytest.fixture
def listed(db, settings):
    for actor in (S1, S2, S3):
        create_user(db, SYSTEM, actor.username, PASSWORD, {"surveyor"}, profile="fast")
    rows = [{"citizen_id": cid(dt.date(1970, 1, 1), 501), "name": "郑一", "household_region": REGION,
             "residence_region": f"{REGION}001002"},
            {"citizen_id": cid(dt.date(1971, 1, 1), 503), "name": "郑二", "household_region": REGION,
             "residence_region": f"{REGION}001003", "phone": "13800001111", "residence": "某路1号",
             "not_enrolled_reason": "unwilling"},
            {"citizen_id": cid(dt.date(1972, 1, 1), 505), "name": "郑三", "household_region": "330102"}]
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file(rows))
    batch.run(db, ADMIN, settings)
    return survey.generate_list(db, GRASSROOTS, f"{REGION}001002")


def test_a_list_by_community_and_a_team_of_two_or_three(db, listed):
    found = survey.items(db, GRASSROOTS, listed.id)
    assert [e.name for _, e in found] == ["郑一"]  # 郑二 is complete; 郑三 lives elsewhere
    county = survey.generate_list(db, GRASSROOTS, REGION)
    assert [e.name for _, e in survey.items(db, GRASSROOTS, county.id)] == ["郑一"]
    with pytest.raises(InvalidInput) as bad:
        survey.generate_list(db, GRASSROOTS, "999999001")
    assert bad.value.code == "survey.division_unknown"
    with pytest.raises(InvalidInput):
        survey.generate_list(db, GRASSROOTS, "33010")
    with pytest.raises(InvalidInput) as bad:
        survey.assign_team(db, GRASSROOTS, listed.id, ["sv1"])
    assert bad.value.code == "survey.team_size"
    with pytest.raises(InvalidInput) as bad:
        survey.assign_team(db, GRASSROOTS, listed.id, ["sv1", "nobody"])
    assert bad.value.code == "survey.not_surveyor"
    assert survey.assign_team(db, GRASSROOTS, listed.id, ["sv1", "sv2"]).team == "sv1;sv2"


def test_entry_review_and_approval_with_role_separation(db, listed):
    survey.assign_team(db, GRASSROOTS, listed.id, ["sv1", "sv2"])
    item, entry = survey.items(db, GRASSROOTS, listed.id)[0]
    with pytest.raises(PermissionDenied) as outside:
        survey.enter(db, S3, item.id, {"phone": "13811112222"})
    assert outside.value.code == "survey.not_in_team"
    with pytest.raises(InvalidInput):
        survey.enter(db, S1, item.id, {"employment_status": "astronaut"})
    survey.enter(db, S1, item.id, {"phone": "13811112222", "residence": "西湖区某社区3号",
                                   "not_enrolled_reason": "cannot_afford"})
    with pytest.raises(Conflict):
        survey.approve(db, ADMIN, item.id)  # not reviewed yet
    survey.review(db, GRASSROOTS, item.id, accept=True)
    entered_admin = Actor("admin1", frozenset({"data_admin"}), True, "counter")
    item.entered_by = "admin1"  # the county official cannot approve what he entered himself
    db.commit()
    with pytest.raises(PermissionDenied) as own:
        survey.approve(db, entered_admin, item.id)
    assert own.value.code == "survey.own_entry"
    item.entered_by = "sv1"
    db.commit()
    approved = survey.approve(db, Actor("county1", frozenset({"data_admin"}), True, "counter"), item.id)
    assert approved.status == "approved"
    entry = db.get(RegistryEntry, entry.id)
    assert entry.phone == "13811112222" and service.entry_sources(entry)["phone"] == "survey"
    assert entry.status == "confirmed"
    flags = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == entry.id)).scalars().all()
    assert flags and all(f.status == "cleared" and f.cleared_source.startswith("入户调查") for f in flags)


def test_review_refuses_the_one_who_entered(db, listed):
    survey.assign_team(db, GRASSROOTS, listed.id, ["sv1", "sv2"])
    item, _ = survey.items(db, GRASSROOTS, listed.id)[0]
    survey.enter(db, S1, item.id, {"phone": "13811112222"})
    both = Actor("sv1", frozenset({"grassroots", "surveyor"}), False, "counter")
    with pytest.raises(PermissionDenied):
        survey.review(db, both, item.id, accept=True)
    returned = survey.review(db, GRASSROOTS, item.id, accept=False, note="电话无法接通")
    assert returned.status == "returned"
    assert survey.enter(db, S2, item.id, {"phone": "13811113333"}).status == "entered"


def test_the_form_pdf_and_the_summary_sheet(db, listed):
    content = survey.forms_pdf(db, GRASSROOTS, listed.id)
    assert content[:4] == b"%PDF"
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True).stdout.decode()
    assert "全民参保登记表" in text and "郑一" in text
    rows = survey.summary_rows(db, GRASSROOTS, listed.id)
    assert rows[0][0] == "郑一" and "联系电话" in rows[0][-2] and rows[0][-1] == "待调查"
    assert survey.summary_xlsx(db, GRASSROOTS, listed.id)[:2] == b"PK"


def test_lists_by_division_and_a_surveyor_sees_his_teams(db, listed):
    county = survey.generate_list(db, GRASSROOTS, REGION)
    survey.assign_team(db, GRASSROOTS, listed.id, ["sv1", "sv2"])
    found = survey.lists(db, GRASSROOTS, REGION)
    assert [(r["list"].id, r["level"], r["total"]) for r in found] == [
        (county.id, "县（市、区）", 1), (listed.id, "社区（村）", 1)]
    assert [r["list"].id for r in survey.lists(db, GRASSROOTS, f"{REGION}001")] == [listed.id]
    assert [r["list"].id for r in survey.lists(db, S1)] == [listed.id]
    assert survey.lists(db, S3) == []
    with pytest.raises(InvalidInput) as bad:
        survey.lists(db, GRASSROOTS, "999999")
    assert bad.value.code == "survey.division_unknown"
    summary = subprocess.run(["pdftotext", "-", "-"], input=survey.summary_pdf(db, GRASSROOTS, listed.id),
                             capture_output=True).stdout.decode()
    assert "个人信息汇总表" in summary and "郑一" in summary and "sv1、sv2" in summary
