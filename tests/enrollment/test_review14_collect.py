"""rev14 review of issue 14, parts 3 and 4: the flags of E§10 with their reasons, and
collection during business (E§13, E§14): the clerk's staff pages of a flagged person show
the doubtful or missing fields, fixing one clears the flag and records the source of the new
value; the person portal prompts the same. Counts by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from jingban.core.errors import InvalidInput, PermissionDenied
from jingban.enrollment import batch, service
from jingban.enrollment.models import RegistryFlag, SourceRecord
from tests.conftest import PASSWORD, REGION
from tests.enrollment.helpers import ADMIN, CLERK, cid, csv_file, employer, person
from tests.web.helpers import post, sign_in

B = dt.date(1980, 5, 5)
FULL = ("pension_enterprise", "medical_employee", "injury", "unemployment")
RESIDENT = ("pension_resident", "medical_resident")


def kinds(db, entry) -> dict[str, RegistryFlag]:
    return {f.kind: f for f in service.open_flags(db, entry.id)}


@pytest.fixture
def people(db):
    """钱一 employed with all four (no flag); 钱二 employed with pension and medical only (未参全);
    钱三 registered twice, once with her old 15-digit ID (重复参保 here); 钱四 resident pension
    here, enterprise pension in 上海 (重复参保 across regions); 钱五 on the police register only
    (未参保); 钱六 on the police register with a reason (no flag); 钱七 no phone (信息不准)."""
    unit = employer(db)
    one = person(db, "钱一", cid(B, 11), B, insurances=FULL, unit=unit, phone="13900000011")
    two = person(db, "钱二", cid(B, 13), B, insurances=FULL[:2], unit=unit, phone="13900000013")
    three_id = cid(B, 22)
    three = person(db, "钱三", three_id, B, insurances=("pension_resident",), phone="13900000022")
    person(db, "钱三", three_id[:6] + three_id[8:17], B, insurances=("medical_resident",),
           phone="13900000022")
    four = person(db, "钱四", cid(B, 15), B, insurances=RESIDENT, phone="13900000015")
    seven = person(db, "钱七", cid(B, 17), B, insurances=RESIDENT, phone="")
    db.commit()
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file([
        {"citizen_id": cid(B, 19), "name": "钱五", "household_region": REGION, "phone": "13900000019",
         "residence": "西湖区1号"},
        {"citizen_id": cid(B, 21), "name": "钱六", "household_region": REGION, "phone": "13900000021",
         "residence": "西湖区2号", "not_enrolled_reason": "cannot_afford"}]))
    service.receive_file(db, ADMIN, source="elsewhere", filename="e.csv", content=csv_file([
        {"citizen_id": four.id_number, "name": "钱四", "insurances": "pension_enterprise",
         "insured_region": "310101"}]))
    return {"one": one, "two": two, "three": three, "four": four, "seven": seven}


def by_name(db, name):
    return next(e for e in service.entries(db, ADMIN) if e["name"] == name)


def test_the_flags_of_e10_with_their_reasons(db, people, settings):
    batch.run(db, ADMIN, settings)
    entry = {k: service.entry_for_person(db, p.id) for k, p in people.items()}
    assert kinds(db, entry["one"]) == {} and entry["one"].status == "confirmed"
    partial = kinds(db, entry["two"])["partial"]
    assert "工伤保险" in partial.reason and "失业保险" in partial.reason
    assert entry["two"].status == "investigate"  # 需调查登记人员
    duplicate = kinds(db, entry["three"])["duplicate"]
    assert duplicate.reason == "本地有2条参保登记属于同一人"
    assert entry["three"].record_count == 2
    across = kinds(db, entry["four"])["duplicate"]
    assert across.reason.startswith("同时在本地和异地参加") and "养老保险" in across.reason
    assert entry["four"].insured_elsewhere == "pension_enterprise"
    assert entry["four"].elsewhere_region == "310101"
    five, six = by_name(db, "钱五"), by_name(db, "钱六")
    not_enrolled = {f.kind: f for f in service.open_flags(db, five["id"])}
    assert set(not_enrolled) == {"not_enrolled"} and "已满16周岁" in not_enrolled["not_enrolled"].reason
    assert five["status"] == "investigate"
    assert service.open_flags(db, six["id"]) == [] and six["status"] == "confirmed"
    inaccurate = kinds(db, entry["seven"])["inaccurate"]
    assert (inaccurate.reason, inaccurate.fields) == ("缺少联系电话", "phone")
    # the list of the people needing investigation: 钱二, 钱五, 钱七 (3 of 7)
    assert service.summary(db)["investigate"] == 3 and service.summary(db)["persons"] == 7
    assert sorted(e["name"] for e in service.entries(db, ADMIN, flag="duplicate")) == ["钱三", "钱四"]


def test_a_death_takes_the_flags_away(db, people, settings):
    batch.run(db, ADMIN, settings)
    two = people["two"]
    two.status = "deceased"
    db.commit()
    batch.run(db, ADMIN, settings)
    entry = service.entry_for_person(db, two.id)
    assert entry.status == "deceased" and kinds(db, entry) == {}
    assert service.summary(db)["persons"] == 6


def test_fixing_the_one_missing_field_clears_the_flag_and_records_its_source(db, people, settings):
    batch.run(db, ADMIN, settings)
    entry = service.entry_for_person(db, people["seven"].id)
    assert service.prompt_fields(db, entry) == ["phone"]
    records = db.execute(select(func.count()).select_from(SourceRecord)).scalar_one()
    with pytest.raises(InvalidInput) as bad:
        service.collect(db, CLERK, entry.id, {"sex": "F"})  # not a field to collect
    assert (bad.value.code, bad.value.field) == ("registry.field", "sex")
    with pytest.raises(InvalidInput) as bad:
        service.collect(db, CLERK, entry.id, {"residence_region": "999999001001"})
    assert bad.value.field == "residence_region" and "行政区划" in bad.value.message
    db.rollback()
    assert db.execute(select(func.count()).select_from(SourceRecord)).scalar_one() == records
    service.collect(db, CLERK, entry.id, {"phone": "+86 139-1234-5678"})
    flag = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == entry.id)).scalar_one()
    assert (flag.status, flag.cleared_by) == ("cleared", "clerk1")
    new = db.execute(select(SourceRecord).where(SourceRecord.source == "collection",
                                                SourceRecord.entry_id == entry.id)).scalar_one()
    assert flag.cleared_source == f"柜台采集：{new.source_key}"
    assert new.phone == "13912345678" and "+86 139-1234-5678" in new.raw  # as given, kept
    assert entry.phone == "13912345678" and service.entry_sources(entry)["phone"] == "collection"
    assert entry.status == "confirmed" and service.prompt_fields(db, entry) == []


def test_no_one_collects_for_someone_else(db, people, settings):
    batch.run(db, ADMIN, settings)
    seven = service.entry_for_person(db, people["seven"].id)
    other = Actor("p2", frozenset({"person"}), False, "web", subject=f"person:{people['one'].id}")
    with pytest.raises(PermissionDenied):
        service.collect(db, other, seven.id, {"phone": "13900000000"})
    reader = Actor("audit1", frozenset({"auditor"}), False, "counter")
    with pytest.raises(PermissionDenied):
        service.collect(db, reader, seven.id, {"phone": "13900000000"})
    assert kinds(db, seven)["inaccurate"].status == "open"


def test_a_second_correction_replaces_the_first(db, people, settings):
    batch.run(db, ADMIN, settings)
    entry = service.entry_for_person(db, people["seven"].id)
    service.collect(db, CLERK, entry.id, {"phone": "13900000001"})
    service.collect(db, CLERK, entry.id, {"phone": "13900000002"})
    assert entry.phone == "13900000002"


def test_the_name_can_be_corrected_after_a_phone_was_collected(db, people, settings):
    batch.run(db, ADMIN, settings)
    entry = service.entry_for_person(db, people["seven"].id)
    service.collect(db, CLERK, entry.id, {"phone": "13900000001"})
    service.collect(db, CLERK, entry.id, {"name": "钱柒"})
    assert entry.name == "钱柒"


@pytest.mark.parametrize(("field", "value"), [("phone", "abc"), ("phone", "12"),
                                              ("birth_date", "2090-01-01")])
def test_collection_refuses_a_phone_that_is_not_one(db, people, settings, field, value):
    batch.run(db, ADMIN, settings)
    entry = service.entry_for_person(db, people["seven"].id)
    with pytest.raises(InvalidInput) as bad:
        service.collect(db, CLERK, entry.id, {field: value})
    assert bad.value.field == field


# --- in the pages -------------------------------------------------------------------------

def _flagged(sessions, settings) -> tuple[int, str, int]:
    with sessions() as db:
        someone = person(db, "钱七", cid(B, 17), B, insurances=RESIDENT, phone="")
        db.commit()
        batch.run(db, ADMIN, settings)
        return someone.id, someone.ssn, service.entry_for_person(db, someone.id).id


def test_every_staff_page_of_the_person_prompts_and_one_fix_clears_it(client, sessions, settings,
                                                                      make_user):
    person_id, ssn, entry_id = _flagged(sessions, settings)
    make_user("clerk14", "clerk")
    token = sign_in(client, "clerk14")
    pages = [f"/persons/{ssn}", f"/persons/{ssn}/history", f"/persons/{ssn}/rights"]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert 'id="registry-prompt"' in page.text and "请核实并补充联系电话" in page.text, url
    assert client.get(f"/persons/id/{person_id}").status_code == 200  # redirected there
    detail = client.get(f"/enrollment/entries/{entry_id}")
    assert 'id="prompt"' in detail.text and "联系电话" in detail.text
    bad = post(client, f"/enrollment/entries/{entry_id}/collect", token,
               {"residence_region": "999999001001"})
    assert bad.status_code == 422 and "行政区划代码不存在" in bad.text
    done = post(client, f"/enrollment/entries/{entry_id}/collect", token, {"phone": "13912345678"},
                follow_redirects=False)
    assert done.status_code == 303
    for url in pages:
        assert 'id="registry-prompt"' not in client.get(url).text, url
    with sessions() as db:
        flag = db.query(RegistryFlag).filter_by(entry_id=entry_id).one()
        assert (flag.status, flag.cleared_by) == ("cleared", "clerk14")
        assert flag.cleared_source.startswith("柜台采集：collect:")
        entry = service.get_entry(db, ADMIN, entry_id)
        assert service.entry_sources(entry)["phone"] == "collection"


def test_the_portal_prompts_the_same_field(client, sessions, settings):
    person_id, _ssn, entry_id = _flagged(sessions, settings)
    with sessions() as db:
        create_user(db, SYSTEM, "qian7", PASSWORD, {"person"}, subject=f"person:{person_id}",
                    profile="fast")
    token = sign_in(client, "qian7")
    home = client.get("/my")
    assert "请核实并补充联系电话" in home.text
    post(client, "/my/registry", token, {"phone": "13912345678"})
    assert 'id="registry-prompt"' not in client.get("/my").text
    with sessions() as db:
        flag = db.query(RegistryFlag).filter_by(entry_id=entry_id).one()
        assert flag.status == "cleared" and flag.cleared_source.startswith("网上采集")
