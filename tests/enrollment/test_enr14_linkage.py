"""The service's run (``batch.run``) links under the same rule as ``linkage.cluster``: pairs
of two different valid IDs are not scored, and two people with different valid IDs are never
merged, even through a record without an ID (E§9; SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jingban.enrollment import batch, service
from jingban.enrollment.models import ReviewPair, SourceRecord
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file, person

BORN = dt.date(1990, 1, 1)
SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def others(db, count: int = 40) -> None:
    """Other people, so that 王伟 is not a common name for the term frequencies."""
    for i in range(count):
        born = dt.date(1960 + i % 30, 1 + i % 12, 1 + i % 27)
        person(db, SURNAMES[i % len(SURNAMES)] + "明" + "一二三四五六七八九十"[i % 10],
               cid(born, 200 + i), born, phone=f"1370000{i:04d}")


def test_namesakes_with_valid_ids_stay_apart_through_a_record_without_id(db, settings):
    first = person(db, "王伟", cid(BORN, 11), BORN, phone="13900000001")
    second = person(db, "王伟", cid(BORN, 13), BORN, phone="13900000002")
    others(db)
    db.commit()
    row = {"name": "王伟", "sex": "男", "birth_date": "1990-01-01", "household_region": REGION}
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file([row]))
    run = batch.run(db, ADMIN, settings)
    one, two = service.entry_for_person(db, first.id), service.entry_for_person(db, second.id)
    assert one.id != two.id
    assert {one.citizen_id, two.citizen_id} == {first.id_number, second.id_number}
    assert one.record_count + two.record_count == 3  # the police row joined one of them
    police = db.execute(select(SourceRecord).where(SourceRecord.source == "police")).scalar_one()
    assert police.entry_id in (one.id, two.id)
    keys = {(p.left_key, p.right_key) for p in db.execute(select(ReviewPair)).scalars()}
    assert tuple(sorted((f"person:{first.id}", f"person:{second.id}"))) not in keys
    assert run.review_pairs == 1  # the police row and the other 王伟: for a person to decide


def test_twins_with_valid_ids_are_not_scored_and_no_review_task(db, settings):
    twin1 = person(db, "赵子龙", cid(BORN, 71), BORN, phone="13900000070")
    twin2 = person(db, "赵子虎", cid(BORN, 73), BORN, phone="13900000070")
    others(db)
    db.commit()
    rows = [{"citizen_id": twin1.id_number, "name": "赵子龙", "household_region": REGION,
             "phone": "13900000070"},
            {"citizen_id": twin2.id_number, "name": "赵子虎", "household_region": REGION,
             "phone": "13900000070"}]
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file(rows))
    run = batch.run(db, ADMIN, settings)
    assert service.entry_for_person(db, twin1.id).id != service.entry_for_person(db, twin2.id).id
    assert run.review_pairs == 0 and db.execute(select(ReviewPair)).first() is None
    assert run.exact_links == 2


def test_model_rows_say_whether_the_id_is_valid(db):
    good = SourceRecord(id=1, citizen_id=cid(BORN, 11), id_problem="", name="王伟")
    bad = SourceRecord(id=2, citizen_id=cid(BORN, 11)[:17] + "0", id_problem="id.check_digit", name="王伟")
    assert batch.model_row(good)["id_valid"] is True
    assert batch.model_row(bad)["id_valid"] is False
    assert batch.model_row(bad)["citizen_id"] == bad.citizen_id  # still compared (a typo)
