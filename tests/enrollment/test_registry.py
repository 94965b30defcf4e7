"""The registry from our registrations and department files: broken rows listed, planted
duplicates found with no false merge, review pairs decided and reused, the flags, and
collection during business clearing a flag (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, PermissionDenied
from jingban.enrollment import batch, service
from jingban.enrollment.models import RegistryEntry, RegistryFlag, ReviewPair, SourceRecord
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, CLERK, cid, csv_file, employer, person

B1, B2, B3, B4 = (dt.date(1968, 3, 9), dt.date(1985, 7, 1), dt.date(1990, 2, 2), dt.date(1975, 5, 5))
FULL = ("pension_enterprise", "medical_employee", "injury", "unemployment")


@pytest.fixture
def world(db):
    """Five people: 张伟 fully enrolled; 李娜 registered twice (once with her old 15-digit
    number); 王强 employed without injury/unemployment; 陈静 insured elsewhere too; 刘洋 on
    the police register only. Plus twins 赵敏 with distinct IDs and a look-alike pair."""
    unit = employer(db)
    zhang = person(db, "张伟", cid(B1, 11), B1, insurances=FULL, unit=unit)
    li_id = cid(B2, 22)
    li = person(db, "李娜", li_id, B2, insurances=("pension_resident",))
    li_old = person(db, "李娜", li_id[:6] + li_id[8:17], B2, insurances=("medical_resident",),
                    phone="")
    wang = person(db, "王强", cid(B3, 33), B3, insurances=FULL[:2], unit=unit)
    chen = person(db, "陈静", cid(B4, 44), B4, insurances=("pension_enterprise",), unit=unit)
    db.commit()
    liu_id = cid(B3, 55)
    police = [
        {"citizen_id": zhang.id_number, "name": "張偉", "sex": "男", "birth_date": "1968-03-09",
         "household_region": REGION, "phone": "+86 139-0000-0000"},
        {"citizen_id": "", "name": "王 强", "birth_date": "1990-02-02", "household_region": REGION,
         "phone": "13900000000"},  # no ID: the model links him by name, birth, area, phone
        {"citizen_id": liu_id, "name": "刘洋", "birth_date": "1990-02-02", "household_region": REGION,
         "phone": "13711112222", "residence": "西湖区古荡"},
        {"citizen_id": cid(B1, 77), "name": "赵敏", "household_region": REGION, "phone": "13700000077"},
        {"citizen_id": cid(B1, 79), "name": "赵敏", "household_region": REGION, "phone": "13700000079"},
        {"citizen_id": "", "name": "欧阳娜娜", "sex": "女", "birth_date": "1980-01-01",
         "household_region": "330102"},
        {"citizen_id": "", "name": "欧阳娜", "sex": "女", "birth_date": "1980-01-01",
         "household_region": REGION},
        {"citizen_id": cid(B1, 81), "name": "坏行", "household_region": "999999"},  # unknown division
        {"citizen_id": cid(B1, 83), "name": "", "household_region": REGION},  # no name
    ]
    elsewhere = [{"citizen_id": chen.id_number, "name": "陈静", "insurances": "pension_enterprise",
                  "insured_region": "310101"}]
    police_file = service.receive_file(db, ADMIN, source="police", filename="公安户籍.csv",
                                       content=csv_file(police))
    service.receive_file(db, ADMIN, source="elsewhere", filename="异地参保.csv",
                         content=csv_file(elsewhere))
    return {"zhang": zhang, "li": li, "li_old": li_old, "wang": wang, "chen": chen,
            "liu_id": liu_id, "police": police_file}


def entry_of(db, person_id) -> RegistryEntry:
    return service.entry_for_person(db, person_id)


def open_kinds(db, entry) -> set[str]:
    return {f.kind for f in service.open_flags(db, entry.id)}


def test_broken_rows_are_listed_and_the_rest_taken_in(db, world):
    upload, bad = service.get_file(db, ADMIN, world["police"].id)
    assert (upload.total, upload.accepted, upload.rejected) == (9, 7, 2)
    assert [(r.line, r.error_field) for r in bad] == [(9, "household_region"), (10, "name")]
    assert "行政区划代码不存在" in bad[0].error_message
    # each row kept as received
    first = db.execute(select(SourceRecord).where(SourceRecord.file_id == upload.id,
                                                  SourceRecord.line == 2)).scalar_one()
    assert "張偉" in first.raw and first.name == "张伟" and first.phone == "13900000000"
    again = service.receive_file(db, ADMIN, source="police", filename="again.csv",
                                 content=_same(db, world))
    assert again.id == upload.id


def _same(db, world) -> bytes:
    from jingban.enrollment.models import SourceFile

    upload = db.get(SourceFile, world["police"].id)
    rows = db.execute(select(SourceRecord.raw).where(SourceRecord.file_id == upload.id)
                      .order_by(SourceRecord.line)).scalars()
    return ("\n".join([upload.header, *rows]) + "\n").encode()


def test_a_file_that_cannot_be_read_is_refused_whole(db):
    with pytest.raises(InvalidInput) as bad:
        service.receive_file(db, ADMIN, source="police", filename="x.csv", content=b"foo,name\n1,2\n")
    assert bad.value.field == "file"
    with pytest.raises(InvalidInput) as bad:
        service.receive_file(db, ADMIN, source="weather", filename="x.csv", content=b"name\n1\n")
    assert bad.value.field == "source"
    with pytest.raises(PermissionDenied):
        service.receive_file(db, CLERK, source="police", filename="x.csv", content=b"name\nA\n")


def test_linkage_finds_every_planted_duplicate_and_merges_nobody_else(db, world, settings):
    run = batch.run(db, ADMIN, settings)
    zhang, li, wang = (entry_of(db, world[k].id) for k in ("zhang", "li", "wang"))
    assert zhang.record_count == 2 and zhang.name == "张伟"
    assert entry_of(db, world["li_old"].id).id == li.id and li.record_count == 2
    assert wang.record_count == 2 and wang.citizen_id == world["wang"].id_number
    liu = db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == world["liu_id"])).scalar_one()
    assert liu.record_count == 1 and liu.id != wang.id
    twins = db.execute(select(RegistryEntry).where(RegistryEntry.name == "赵敏")).scalars().all()
    assert len(twins) == 2
    # 7 police rows + 1 elsewhere + 5 registrations = 13 rows → 9 entries (look-alikes apart)
    live = db.execute(select(func.count()).select_from(RegistryEntry)
                      .where(RegistryEntry.status != "retired")).scalar_one()
    assert live == run.entries == 9
    assert run.review_pairs == 1  # the twins' two valid IDs are not scored (E§9)
    pairs = {tuple(sorted((p["left"].name, p["right"].name))) for p in service.review_pairs(db, ADMIN)}
    assert pairs == {("欧阳娜", "欧阳娜娜")}


def test_decisions_are_kept_and_reused_on_the_next_run(db, world, settings):
    batch.run(db, ADMIN, settings)
    for item in service.review_pairs(db, ADMIN):
        same = item["left"].name != item["right"].name
        service.decide_pair(db, ADMIN, item["pair"].id, "same" if same else "different", "核实")
    with pytest.raises(Exception) as twice:
        service.decide_pair(db, ADMIN, item["pair"].id, "same")
    assert getattr(twice.value, "code", "") == "registry.pair_decided"
    run = batch.run(db, ADMIN, settings)
    assert run.review_pairs == 0 and run.entries == 8
    assert service.review_pairs(db, ADMIN) == []
    ouyang = db.execute(select(RegistryEntry).where(RegistryEntry.name.like("欧阳%"),
                                                    RegistryEntry.status != "retired")).scalars().all()
    assert len(ouyang) == 1 and ouyang[0].record_count == 2
    assert db.execute(select(func.count()).select_from(ReviewPair)
                      .where(ReviewPair.status == "open")).scalar_one() == 0


def test_flags_with_their_reasons(db, world, settings):
    batch.run(db, ADMIN, settings)
    zhang, li, wang, chen = (entry_of(db, world[k].id) for k in ("zhang", "li", "wang", "chen"))
    assert open_kinds(db, zhang) == set() and zhang.status == "confirmed"
    assert "duplicate" in open_kinds(db, li)
    chen_flags = {f.kind: f for f in service.open_flags(db, chen.id)}
    assert "异地" in chen_flags["duplicate"].reason
    wang_flags = {f.kind: f for f in service.open_flags(db, wang.id)}
    assert "工伤保险" in wang_flags["partial"].reason and wang.status == "investigate"
    liu = db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == world["liu_id"])).scalar_one()
    assert open_kinds(db, liu) == {"not_enrolled"}
    ouyang = db.execute(select(RegistryEntry).where(RegistryEntry.name == "欧阳娜")).scalar_one()
    flag = {f.kind: f for f in service.open_flags(db, ouyang.id)}["inaccurate"]
    assert set(flag.fields.split(";")) == {"citizen_id", "phone", "residence"}
    # a rerun over the same rows raises nothing new
    before = db.execute(select(func.count()).select_from(RegistryFlag)).scalar_one()
    batch.run(db, ADMIN, settings)
    assert db.execute(select(func.count()).select_from(RegistryFlag)).scalar_one() == before


def test_collection_at_the_counter_clears_the_flag_and_records_the_source(db, world, settings):
    batch.run(db, ADMIN, settings)
    liu = db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == world["liu_id"])).scalar_one()
    assert service.prompt_fields(db, liu) == ["not_enrolled_reason", "employment_status"]
    with pytest.raises(InvalidInput) as bad:
        service.collect(db, CLERK, liu.id, {"employment_status": "working"})
    assert bad.value.field == "employment_status"
    service.collect(db, CLERK, liu.id, {"not_enrolled_reason": "unaware", "employment_status": "flexible"})
    flag = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == liu.id)).scalar_one()
    assert flag.status == "cleared" and flag.cleared_by == "clerk1"
    assert flag.cleared_source.startswith("柜台采集")
    assert service.entry_sources(liu)["not_enrolled_reason"] == "collection"
    assert liu.not_enrolled_reason == "unaware" and liu.status == "confirmed"
    batch.run(db, ADMIN, settings)  # the collected value survives the next run
    db.refresh(liu)
    assert liu.not_enrolled_reason == "unaware" and open_kinds(db, liu) == set()


def test_the_person_fixes_his_own_entry_in_the_portal(db, world, settings):
    batch.run(db, ADMIN, settings)
    li = entry_of(db, world["li_old"].id)
    wang = entry_of(db, world["wang"].id)
    me = Actor("p1", frozenset({"person"}), False, "web", subject=f"person:{wang.person_id}")
    with pytest.raises(PermissionDenied):
        service.collect(db, me, li.id, {"phone": "13911112222"})
    service.collect(db, me, wang.id, {"employment_status": "flexible"})
    assert open_kinds(db, wang) == set()
    flag = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == wang.id)).scalar_one()
    assert flag.cleared_source.startswith("网上采集")


def test_statistics_match_hand_counts_and_drill_down_to_the_people(db, world, settings):
    batch.run(db, ADMIN, settings)
    found = service.statistics(db, ADMIN)
    # 9 people: 张伟, 李娜, 王强 here; 陈静 here and elsewhere; 刘洋, two 赵敏, two 欧阳 nowhere
    assert found["summary"]["persons"] == 9 and found["summary"]["enrolled"] == 4
    assert found["summary"]["coverage"] == 44.4
    where = {r["value"]: r["persons"] for r in found["tables"]["where"]}
    assert where == {"here": 3, "both": 1, "none": 5}
    insurance = {r["value"]: r["persons"] for r in found["tables"]["insurance"]}
    assert insurance["pension_enterprise"] == 3 and insurance["injury"] == 1
    assert insurance["medical_resident"] == 1 and insurance["none"] == 5
    reasons = {r["value"]: r["persons"] for r in found["tables"]["not_enrolled_reason"]}
    assert reasons == {"unknown": 5}
    region = {r["value"]: r for r in found["tables"]["household_region"]}
    assert region["330102"]["persons"] == 1 and region["330102"]["coverage"] == 0.0
    people = service.entries(db, ADMIN, dimension="where", value="both")
    assert [p["name"] for p in people] == ["陈静"]
    flagged = service.entries(db, ADMIN, flag="partial")
    assert [p["name"] for p in flagged] == ["王强", "陈静"]  # both employed, 陈静 has pension only
    assert service.statistics_xlsx(db, ADMIN)[:2] == b"PK"
    with pytest.raises(InvalidInput):
        service.entries(db, ADMIN, dimension="height")


def test_dynamic_update_without_a_relink(db, world, settings):
    batch.run(db, ADMIN, settings)
    liu = db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == world["liu_id"])).scalar_one()
    assert open_kinds(db, liu) == {"not_enrolled"}
    # 刘洋 registers and enrolls here (a business event), and a new birth comes from health
    born = person(db, "刘洋", world["liu_id"], B3, insurances=("pension_resident",))
    db.commit()
    baby = cid(dt.date(2026, 10, 1), 91)
    service.receive_file(db, ADMIN, source="health", filename="出生.csv",
                         content=csv_file([{"citizen_id": baby, "name": "刘小宝",
                                            "household_region": REGION}]))
    born_entry = db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == baby)).scalar_one()
    assert born_entry.record_count == 1  # a file after the first run is placed on receipt
    update = batch.update(db, ADMIN, settings)  # the registration was written behind its back
    assert update.backend == "incremental" and update.records == 1
    assert entry_of(db, born.id).id == liu.id
    assert open_kinds(db, liu) == set() or "not_enrolled" not in open_kinds(db, liu)
    cleared = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == liu.id,
                                                    RegistryFlag.kind == "not_enrolled")).scalar_one()
    assert cleared.status == "cleared" and cleared.cleared_source.startswith("动态更新")
    new = db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == baby)).scalar_one()
    assert new.record_count == 1 and "not_enrolled" in open_kinds(db, new)
    assert batch.update(db, ADMIN, settings).records == 0  # nothing new: nothing done
