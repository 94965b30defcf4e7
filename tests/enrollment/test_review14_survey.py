"""rev14 review of issue 14, part 5: the household survey with role separation (E§15–§19) —
lists by division down to the community, a team of 2–3 surveyors, entry only by the team,
no review or approval by the one who entered, grassroots review, county approval, and the
contents of the 全民参保登记表 and 个人信息汇总表 (PDF and Excel)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess

import openpyxl
import pytest
from sqlalchemy import func, select

from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from jingban.core.errors import InvalidInput, PermissionDenied
from jingban.enrollment import batch, service, survey
from jingban.enrollment.models import RegistryFlag, SurveyItem, SurveyList
from tests.conftest import PASSWORD, REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file

GRASSROOTS = Actor("gr14", frozenset({"grassroots"}), False, "counter")
COUNTY = Actor("county14", frozenset({"data_admin"}), True, "counter")
TEAM = [Actor(f"sv14{i}", frozenset({"surveyor"}), False, "counter") for i in range(4)]
# the same login as surveyor and as county official: no such user can be made (R§37), and
# the approval still refuses the name that entered
BOTH = Actor("both14", frozenset({"surveyor", "data_admin"}), True, "counter")
TOWN = f"{REGION}001"


@pytest.fixture
def town(db, settings):
    """Four flagged people: 吕一, 吕二 in community 001002; 吕三 in 001003 (same township 001);
    吕四 in township 002. 吕五 complete (no flag)."""
    for actor in TEAM:
        create_user(db, SYSTEM, actor.username, PASSWORD, set(actor.roles), profile="fast")
    with pytest.raises(InvalidInput) as mixed:
        create_user(db, SYSTEM, BOTH.username, PASSWORD, set(BOTH.roles), profile="fast")
    assert mixed.value.code == "role.incompatible"
    db.rollback()
    create_user(db, SYSTEM, BOTH.username, PASSWORD, {"surveyor"}, profile="fast")
    where = ("001002", "001002", "001003", "002001")
    rows = [{"citizen_id": cid(dt.date(1970 + i, 1, 1), 601 + 2 * i), "name": f"吕{'一二三四'[i]}",
             "household_region": REGION, "residence_region": f"{REGION}{w}"} for i, w in enumerate(where)]
    rows.append({"citizen_id": cid(dt.date(1975, 1, 1), 611), "name": "吕五", "household_region": REGION,
                 "residence_region": f"{REGION}001002", "phone": "13800000611", "residence": "某路",
                 "not_enrolled_reason": "unwilling"})
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file(rows))
    batch.run(db, ADMIN, settings)


def names(db, made) -> list[str]:
    return [e.name for _, e in survey.items(db, GRASSROOTS, made.id)]


def test_lists_down_to_the_community(db, town):
    assert names(db, survey.generate_list(db, GRASSROOTS, REGION)) == ["吕一", "吕二", "吕三", "吕四"]
    assert names(db, survey.generate_list(db, GRASSROOTS, TOWN)) == ["吕一", "吕二", "吕三"]
    assert names(db, survey.generate_list(db, GRASSROOTS, f"{TOWN}002")) == ["吕一", "吕二"]
    assert names(db, survey.generate_list(db, GRASSROOTS, f"{REGION}002001")) == ["吕四"]
    levels = [r["level"] for r in survey.lists(db, GRASSROOTS, REGION)]
    assert levels == ["社区（村）", "社区（村）", "乡镇（街道）", "县（市、区）"]
    assert [r["total"] for r in survey.lists(db, GRASSROOTS, TOWN)] == [2, 3]
    lists = db.execute(select(func.count()).select_from(SurveyList)).scalar_one()
    for bad, code in (("999999001002", "survey.division_unknown"), ("3301060010", "survey.division"),
                      ("", "survey.division")):
        with pytest.raises(InvalidInput) as refused:
            survey.generate_list(db, GRASSROOTS, bad)
        assert (refused.value.code, refused.value.field) == (code, "division")
        assert "行政区划代码" in refused.value.message
    db.rollback()
    assert db.execute(select(func.count()).select_from(SurveyList)).scalar_one() == lists


def test_a_team_is_two_or_three_surveyors(db, town):
    made = survey.generate_list(db, GRASSROOTS, TOWN)
    for team, code in ((["sv140"], "survey.team_size"), ([a.username for a in TEAM], "survey.team_size"),
                       (["sv140", "admin1"], "survey.not_surveyor")):
        with pytest.raises(InvalidInput) as bad:
            survey.assign_team(db, GRASSROOTS, made.id, team)
        assert (bad.value.code, bad.value.field) == (code, "team")
    with pytest.raises(PermissionDenied):
        survey.assign_team(db, TEAM[0], made.id, ["sv140", "sv141"])  # a surveyor does not plan
    assert survey.assign_team(db, GRASSROOTS, made.id, ["sv140", "sv141", "sv142"]).team == \
        "sv140;sv141;sv142"


def test_from_entry_to_county_approval_with_role_separation(db, town):
    made = survey.generate_list(db, GRASSROOTS, f"{TOWN}002")
    survey.assign_team(db, GRASSROOTS, made.id, ["sv140", "both14"])
    item, entry = survey.items(db, GRASSROOTS, made.id)[0]
    with pytest.raises(PermissionDenied) as outside:
        survey.enter(db, TEAM[3], item.id, {"phone": "13811112222"})
    assert outside.value.code == "survey.not_in_team" and "不是该调查名单的调查员" in outside.value.message
    db.rollback()
    db.refresh(item)
    assert (item.status, item.values, item.entered_by) == ("pending", "{}", "")
    given = {"phone": "13811112222", "residence": "西湖区某社区3号", "not_enrolled_reason": "cannot_afford",
             "employment_status": "flexible"}
    survey.enter(db, BOTH, item.id, given)
    assert json.loads(item.values) == given and item.status == "entered"
    survey.review(db, GRASSROOTS, item.id, accept=True, note="符合规定")
    with pytest.raises(PermissionDenied) as own:
        survey.approve(db, BOTH, item.id)  # he entered it
    assert own.value.code == "survey.own_entry"
    with pytest.raises(PermissionDenied):
        survey.approve(db, GRASSROOTS, item.id)  # the grassroots platform does not approve
    db.rollback()
    assert db.get(SurveyItem, item.id).status == "reviewed"
    survey.approve(db, COUNTY, item.id)
    db.refresh(entry)
    assert (entry.phone, entry.not_enrolled_reason, entry.status) == ("13811112222", "cannot_afford",
                                                                      "confirmed")
    assert service.entry_sources(entry)["residence"] == "survey"
    flags = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == entry.id)).scalars().all()
    assert {f.status for f in flags} == {"cleared"}
    assert all(f.cleared_by == "county14" and f.cleared_source == f"入户调查：survey:{item.id}"
               for f in flags)
    summary = survey.summary_rows(db, GRASSROOTS, made.id)
    assert [(r[0], r[-1]) for r in summary] == [("吕一", "已审定入库"), ("吕二", "待调查")]
    sheet = openpyxl.load_workbook(io.BytesIO(survey.summary_xlsx(db, GRASSROOTS, made.id))).active
    cells = [[str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == survey.SUMMARY_HEAD
    assert [row[:2] + row[-1:] for row in cells[1:]] == [[r[0], r[1], r[-1]] for r in summary]
    text = subprocess.run(["pdftotext", "-", "-"], input=survey.summary_pdf(db, GRASSROOTS, made.id),
                          capture_output=True).stdout.decode()
    assert "吕一" in text and "吕二" in text and "共 2 人" in text and "sv140、both14" in text


def test_the_registration_forms_carry_the_registry_values(db, town):
    made = survey.generate_list(db, GRASSROOTS, f"{TOWN}002")
    text = subprocess.run(["pdftotext", "-", "-"], input=survey.forms_pdf(db, GRASSROOTS, made.id),
                          capture_output=True).stdout.decode()
    assert text.count("全民参保登记表") == 2 and "吕一" in text and cid(dt.date(1970, 1, 1), 601) in text
    assert "□ 需核实补充" in text and "调查员签名" in text
    sheet = openpyxl.load_workbook(io.BytesIO(survey.forms_xlsx(db, GRASSROOTS, made.id))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("登记库编号", "姓名", "公民身份号码") and len(rows) == 3
    assert [r[1] for r in rows[1:]] == ["吕一", "吕二"]
    assert "联系电话" in rows[1][rows[0].index("需核实补充")]


def test_the_forms_speak_chinese(db, town):
    made = survey.generate_list(db, GRASSROOTS, f"{TOWN}002")
    row = survey.summary_rows(db, GRASSROOTS, made.id)[0]
    assert row[survey.SUMMARY_HEAD.index("性别")] == "男"
    text = subprocess.run(["pdftotext", "-", "-"], input=survey.forms_pdf(db, GRASSROOTS, made.id),
                          capture_output=True).stdout.decode()
    assert "异地参保" in text and "参保险种" in text


E7 = ("姓名", "公民身份号码", "性别", "出生日期", "民族", "户口所在地", "户口性质", "常住所在地",
      "常住地址", "联系电话", "就业状态", "本地参保险种", "异地参保险种", "异地参保地", "未参保原因")


def test_the_forms_carry_every_e7_item_by_name(db, town, settings):
    """Finding 7 in full: every E§7 item on the 登记表 (PDF, Excel) and the 汇总表, each coded
    value as its Chinese name — sex, ethnicity (GB/T 3304 code 03), household type, employment
    status, insurance kinds here and elsewhere, the reason, the divisions."""
    someone = cid(dt.date(1966, 6, 6), 621)
    service.receive_file(db, ADMIN, source="police", filename="p2.csv", content=csv_file([{
        "citizen_id": someone, "name": "吕六", "ethnicity": "03", "household_region": REGION,
        "household_type": "agricultural", "residence_region": f"{TOWN}002",
        "employment_status": "unemployed", "not_enrolled_reason": "cannot_afford"}]))
    service.receive_file(db, ADMIN, source="elsewhere", filename="e2.csv", content=csv_file([{
        "citizen_id": someone, "name": "吕六", "insurances": "pension_enterprise;medical_employee",
        "insured_region": "310101"}]))
    batch.run(db, ADMIN, settings)
    made = survey.generate_list(db, GRASSROOTS, f"{TOWN}002")
    assert [r[0] for r in survey.summary_rows(db, GRASSROOTS, made.id)] == ["吕一", "吕二", "吕六"]
    assert all(h in survey.SUMMARY_HEAD for h in E7)
    six = dict(zip(survey.SUMMARY_HEAD, survey.summary_rows(db, GRASSROOTS, made.id)[2], strict=True))
    expected = {"性别": "男", "出生日期": "1966-06-06", "民族": "回族", "户口所在地": "浙江省西湖区",
                "户口性质": "农业户口", "常住所在地": f"浙江省西湖区（{TOWN}002）", "就业状态": "失业",
                "异地参保险种": "职工基本医疗保险、企业职工基本养老保险", "未参保原因": "缴费困难"}
    assert {k: six[k] for k in expected} == expected
    assert six["异地参保地"] == "上海市黄浦区"
    sheet = openpyxl.load_workbook(io.BytesIO(survey.forms_xlsx(db, GRASSROOTS, made.id))).active
    rows = [[str(c) if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert all(h in rows[0] for h in E7)
    assert dict(zip(rows[0], rows[3], strict=True))["民族"] == "回族"
    assert dict(zip(rows[0], rows[3], strict=True))["就业状态"] == "失业"
    text = subprocess.run(["pdftotext", "-", "-"], input=survey.forms_pdf(db, GRASSROOTS, made.id),
                          capture_output=True).stdout.decode()
    page = text.split("\f")[2]
    for shown in (*E7, "回族", "农业户口", "失业", "缴费困难", "企业职工基本养老保险", "浙江省西湖区"):
        assert shown in page, shown
    for code in ("unemployed", "agricultural", "cannot_afford", "pension_enterprise", "medical_employee"):
        assert code not in text and code not in str(rows), code


def test_a_surveyor_outside_the_team_cannot_read_the_list(db, town):
    made = survey.generate_list(db, GRASSROOTS, f"{TOWN}002")
    survey.assign_team(db, GRASSROOTS, made.id, ["sv140", "sv141"])
    with pytest.raises(PermissionDenied):
        survey.items(db, TEAM[3], made.id)


CLERK = Actor("clerk14", frozenset({"clerk"}), True, "counter")


def test_only_the_team_and_the_reviewers_read_a_list_and_its_forms(db, town):
    """Finding 8 in full: every read of a list — the list, its persons, one person, the four
    forms — refuses a surveyor outside the team and a clerk (who may read the registry), with
    survey.list_forbidden and a Chinese message; the team, the grassroots platform and the
    county read them; the overview shows an outsider none of the list."""
    made = survey.generate_list(db, GRASSROOTS, f"{TOWN}002")
    other = survey.generate_list(db, GRASSROOTS, f"{TOWN}003")
    survey.assign_team(db, GRASSROOTS, made.id, ["sv140", "sv141"])
    survey.assign_team(db, GRASSROOTS, other.id, ["sv142", "sv143"])
    item = survey.items(db, GRASSROOTS, made.id)[0][0]
    reads = (lambda a: survey.get_list(db, a, made.id), lambda a: survey.items(db, a, made.id),
             lambda a: survey.item_of(db, a, item.id), lambda a: survey.forms_pdf(db, a, made.id),
             lambda a: survey.forms_xlsx(db, a, made.id), lambda a: survey.summary_pdf(db, a, made.id),
             lambda a: survey.summary_xlsx(db, a, made.id), lambda a: survey.summary_rows(db, a, made.id))
    for outsider in (TEAM[3], CLERK):
        for read in reads:
            with pytest.raises(PermissionDenied) as refused:
                read(outsider)
            assert refused.value.code == "survey.list_forbidden" and refused.value.field == "list_id"
            assert "不是该调查名单的调查员" in refused.value.message
        assert made.id not in [r["list"].id for r in survey.lists(db, outsider)]
        assert not survey.reads_item(db, outsider, item.id)
    assert [r["list"].id for r in survey.lists(db, TEAM[3])] == [other.id]
    for reader in (TEAM[0], TEAM[1], GRASSROOTS, COUNTY):
        for read in reads:
            read(reader)
        assert survey.reads_item(db, reader, item.id)
    assert {r["list"].id for r in survey.lists(db, COUNTY)} >= {made.id, other.id}
    assert [r["list"].id for r in survey.lists(db, TEAM[0])] == [made.id]
    with pytest.raises(PermissionDenied):  # before a team is named only the reviewers read it
        survey.items(db, TEAM[0], survey.generate_list(db, GRASSROOTS, TOWN).id)
