"""rev14 review of issue 14, part 2: a small truth set (E§8–§10). 20 people seen through
three sources — our registrations (agency), the police household register and a tax file —
49 records, with planted duplicates (typo and swapped digits in the ID, the old 15-digit ID,
traditional characters, a move, a missing phone, no ID at all) and planted look-alikes
(twins: one birth date, one address and phone, different IDs; a father and son with one
name). Every duplicate is found (linked, or a review task for the data administrator), no
two people are merged, and the decisions are reused on the next run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from jingban.enrollment import batch, service
from jingban.enrollment.models import RegistryEntry, ReviewPair, SourceRecord
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file, employer, person

FULL = ("pension_enterprise", "medical_employee", "injury", "unemployment")
OTHER = "330102"
# key: name, birth, ID sequence, phone
PEOPLE = {
    "zhang": ("张伟", dt.date(1968, 3, 9), 11, "13900000011"),
    "li": ("李娜", dt.date(1985, 7, 2), 22, "13900000022"),
    "wang": ("王强", dt.date(1990, 2, 2), 33, "13900000033"),
    "chen": ("陈静", dt.date(1975, 5, 5), 44, "13900000044"),
    "liu": ("刘洋", dt.date(1982, 8, 8), 55, "13900000055"),
    "zhou": ("周敏", dt.date(1995, 9, 9), 66, "13900000066"),
    "twin1": ("赵子龙", dt.date(2001, 4, 4), 71, "13900000070"),
    "twin2": ("赵子虎", dt.date(2001, 4, 4), 73, "13900000070"),  # same phone and address
    "father": ("李刚", dt.date(1960, 1, 15), 91, "13900000090"),
    "son": ("李刚", dt.date(1988, 6, 20), 93, "13900000090"),
    "sun": ("孙丽", dt.date(1979, 4, 4), 102, "13900000102"),
    "wu": ("吴磊", dt.date(1983, 3, 3), 113, "13900000113"),
    "zheng": ("郑洁", dt.date(1991, 1, 1), 124, "13900000124"),
    "feng": ("冯超", dt.date(1987, 12, 12), 135, "13900000135"),
    "he": ("何平", dt.date(1972, 6, 6), 146, "13900000146"),
    "gao": ("高远", dt.date(1999, 10, 10), 157, "13900000157"),
    "ma": ("马丽", dt.date(1993, 2, 14), 168, "13900000168"),
    "luo": ("罗斌", dt.date(1978, 11, 11), 179, "13900000179"),
    "liang": ("梁红", dt.date(1965, 7, 7), 180, "13900000180"),
    "ouyang": ("欧阳娜娜", dt.date(1980, 1, 1), 192, "13900000192"),
}
AGENCY = ("zhang", "li", "wang", "chen", "zhou", "twin1", "twin2", "father", "son", "sun", "wu",
          "zheng", "feng", "he", "gao", "ouyang")  # 16 registrations


def number(key: str) -> str:
    name, birth, seq, _phone = PEOPLE[key]
    return cid(birth, seq)


def typo(n: str) -> str:
    """One digit of the sequence changed: the check digit no longer holds."""
    return n[:15] + str((int(n[15]) + 1) % 10) + n[16:]


def swap(n: str) -> str:
    return n[:14] + n[15] + n[14] + n[16:]


def row(key: str, **changes) -> dict:
    name, birth, _seq, phone = PEOPLE[key]
    base = {"citizen_id": number(key), "name": name, "birth_date": birth.isoformat(),
            "household_region": REGION, "phone": phone, "residence": f"西湖区文三路{_seq}号",
            "_truth": key}
    return base | changes


POLICE = [  # 17 rows
    row("zhang", name="張偉", phone="+86 139-0000-0011"),  # traditional characters
    row("li", citizen_id=number("li")[:6] + number("li")[8:17]),  # the old 15-digit ID
    row("wang", citizen_id="", name="王 强"),  # no ID
    row("chen", citizen_id=swap(number("chen"))),  # swapped digits
    row("liu"),
    row("zhou", phone=""),  # missing phone
    row("twin1", residence="西湖区文三路70号"), row("twin2", residence="西湖区文三路70号"),
    row("father"), row("son", citizen_id="", residence="西湖区文三路91号"),  # son: no ID
    row("sun"), row("wu"), row("zheng"), row("feng"), row("he"), row("gao"),
    row("ouyang", citizen_id="", name="欧阳娜", household_region=OTHER),  # moved, name shortened
]
TAX = [  # 16 rows
    row("zhang", phone="0086 13900000011"), row("wang", citizen_id=typo(number("wang"))),
    row("chen"), row("liu", residence="上城区解放路9号", household_region=OTHER),  # moved
    row("zhou", citizen_id="", phone=""),  # neither ID nor phone
    row("sun", name="孫麗"), row("wu"), row("zheng", phone="139-0000-0124"),
    row("ma"), row("luo"), row("liang"), row("ma", phone=""), row("luo", name="羅斌"),
    row("liang", citizen_id=number("liang")[:6] + number("liang")[8:17]),
    row("twin1", phone=""), row("twin2", phone=""),
]


@pytest.fixture
def truth(db):
    """source_key → the person it is about (16 agency + 17 police + 16 tax = 49 records)."""
    unit = employer(db)
    keys = {}
    for key in AGENCY:
        name, birth, _seq, phone = PEOPLE[key]
        someone = person(db, name, number(key), birth, insurances=FULL, unit=unit, phone=phone)
        keys[f"person:{someone.id}"] = key
    db.commit()
    for source, rows in (("police", POLICE), ("tax", TAX)):
        upload = service.receive_file(db, ADMIN, source=source, filename=f"{source}.csv",
                                      content=csv_file(rows))
        assert upload.rejected == 0 and upload.accepted == len(rows)
        for line, given in enumerate(rows, start=2):
            keys[f"file:{upload.id}:{line}"] = given["_truth"]
    assert len(keys) == 49
    return keys


def clusters(db) -> list[set[str]]:
    found = defaultdict(set)
    for key, entry_id in db.execute(select(SourceRecord.source_key, SourceRecord.entry_id)
                                    .where(SourceRecord.status == "accepted")):
        found[entry_id].add(key)
    return list(found.values())


def merged_people(db, truth) -> list[set[str]]:
    """Entries holding records of more than one person (false merges)."""
    return [people for c in clusters(db) if len(people := {truth[k] for k in c}) > 1]


def split_people(db, truth) -> set[str]:
    """People whose records are in more than one entry."""
    seen = defaultdict(int)
    for c in clusters(db):
        for who in {truth[k] for k in c}:
            seen[who] += 1
    return {who for who, n in seen.items() if n > 1}


def test_every_duplicate_found_and_no_false_merge(db, truth, settings):
    run = batch.run(db, ADMIN, settings)
    assert run.records == 49
    assert merged_people(db, truth) == []  # twins, father and son stay apart
    open_pairs = service.review_pairs(db, ADMIN)
    # what is not linked is a review task between its records: only 周敏's tax row (neither
    # ID nor phone: name, birth date and area alone, p ≈ 0.98) is left to the data administrator
    assert split_people(db, truth) == {"zhou"}
    doubted = {frozenset((truth[p["pair"].left_key], truth[p["pair"].right_key])) for p in open_pairs}
    assert frozenset({"zhou"}) in doubted
    assert all(p["pair"].probability >= 0.6 for p in open_pairs)
    assert run.entries == 21  # 20 people, 周敏 twice until decided
    ouyang = service.entry_for_person(db, _person_id(truth, "ouyang"))
    assert ouyang.record_count == 2  # moved, name shortened, no ID: still linked
    son = service.entry_for_person(db, _person_id(truth, "son"))
    father = service.entry_for_person(db, _person_id(truth, "father"))
    assert son.id != father.id and son.record_count == 2 and father.record_count == 2
    assert son.birth_date == dt.date(1988, 6, 20)
    chen = service.entry_for_person(db, _person_id(truth, "chen"))
    assert chen.citizen_id == number("chen") and chen.record_count == 3  # the valid ID chosen
    li = service.entry_for_person(db, _person_id(truth, "li"))
    assert li.citizen_id == number("li") and li.record_count == 2
    zhang = service.entry_for_person(db, _person_id(truth, "zhang"))
    assert (zhang.name, zhang.record_count, zhang.phone) == ("张伟", 3, "13900000011")


def _person_id(truth, key) -> int:
    return next(int(k.split(":")[1]) for k, v in truth.items() if v == key and k.startswith("person:"))


def test_review_decisions_are_reused_on_the_next_run(db, truth, settings):
    batch.run(db, ADMIN, settings)
    pairs = service.review_pairs(db, ADMIN)
    assert pairs
    for item in pairs:
        same = truth[item["pair"].left_key] == truth[item["pair"].right_key]
        service.decide_pair(db, ADMIN, item["pair"].id, "same" if same else "different", "核实户籍")
    decided = db.execute(select(func.count()).select_from(ReviewPair)).scalar_one()
    run = batch.run(db, ADMIN, settings)
    assert run.review_pairs == 0 and service.review_pairs(db, ADMIN) == []
    assert db.execute(select(func.count()).select_from(ReviewPair)).scalar_one() == decided
    assert merged_people(db, truth) == [] and split_people(db, truth) == set()
    assert run.entries == 20
    third = batch.run(db, ADMIN, settings)  # and again: same entries, nothing to review
    assert (third.entries, third.review_pairs) == (20, 0)
    live = db.execute(select(func.count()).select_from(RegistryEntry)
                      .where(RegistryEntry.status != "retired")).scalar_one()
    assert live == 20


def test_twins_with_valid_ids_are_no_review_task(db, truth, settings):
    batch.run(db, ADMIN, settings)
    twins = [p for p in service.review_pairs(db, ADMIN)
             if {truth[p["pair"].left_key], truth[p["pair"].right_key]} == {"twin1", "twin2"}]
    assert twins == []  # 2 valid IDs differing in the sequence: two people (E§9)


def test_namesakes_are_not_merged_through_a_record_without_id(db, settings):
    """Two men 王伟 born on one day (different valid IDs) and a police row 王伟, 男, that day,
    no ID, no phone: it may join one of them, never both."""
    born = dt.date(1990, 1, 1)
    first = person(db, "王伟", cid(born, 11), born, insurances=("pension_resident",),
                   phone="13900000001")
    second = person(db, "王伟", cid(born, 13), born, insurances=("pension_resident",),
                    phone="13900000002")
    for i in range(60):  # other names, so that 王伟 is a rare name here (term frequencies)
        birth = dt.date(1940 + i, 3, 3)
        person(db, "张" + chr(0x4E00 + i * 7) + chr(0x4E10 + i), cid(birth, 21 + 2 * i), birth,
               insurances=("pension_resident",), phone=f"1370000{i:04d}")
    db.commit()
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file([
        {"name": "王伟", "sex": "男", "birth_date": "1990-01-01", "household_region": REGION}]))
    run = batch.run(db, ADMIN, settings)
    one, two = (service.entry_for_person(db, p.id) for p in (first, second))
    assert one.id != two.id and run.entries == 62
    assert "duplicate" not in {f.kind for f in service.open_flags(db, one.id)}
