"""The live hooks (E§20–§24) write their own audit event, in the event's transaction: a
registration event or a department file that updates the registry is in the chain with its
source and what changed (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from jingban.core import audit
from jingban.core.errors import InvalidInput
from jingban.core.models import AuditEvent
from jingban.enrollment import batch, service
from jingban.enrollment.models import SourceRecord
from jingban.registration import service as registration
from jingban.registration.schemas import EnrollmentCreate, PersonCreate
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, CLERK, cid, csv_file, person
from tests.enrollment.test_events import BORN, NUMBER, police_then_link


def follows(db) -> list[AuditEvent]:
    return list(db.execute(select(AuditEvent).where(AuditEvent.act == "enrollment.follow")
                           .order_by(AuditEvent.id)).scalars())


def test_a_business_event_records_what_it_changed_in_the_registry(db, settings):
    entry = police_then_link(db, settings)
    assert follows(db) == []
    person = registration.register_person(db, CLERK, PersonCreate(
        id_number=NUMBER, name="周航", household_region=REGION, phone="13600006161",
        address="西湖区文二路8号"))
    registration.enroll(db, CLERK, person.ssn, EnrollmentCreate(
        insurance="pension_resident", start_date=service.clock.today().replace(day=1)))
    registered, enrolled = follows(db)
    assert registered.subject == f"person:{person.id}" and registered.reason == "业务变动：参保登记"
    changed = json.loads(registered.after)["entries"][f"registry_entry:{entry.id}"]
    assert changed["before"]["record_count"] == 1 and changed["after"]["record_count"] == 2
    assert changed["after"]["person_id"] == person.id
    after = json.loads(enrolled.after)
    assert after["source"] == "业务变动：参保"
    shown = after["entries"][f"registry_entry:{entry.id}"]
    assert shown["before"] == {"insured_here": "", "flags": ["not_enrolled"], "status": "investigate"}
    assert shown["after"] == {"insured_here": "pension_resident", "flags": [], "status": "confirmed"}
    assert "13600006161" not in registered.after + enrolled.after  # phones stay sealed
    assert audit.verify(db).ok


def test_a_department_file_records_the_entries_it_changed(db, settings):
    entry = police_then_link(db, settings)
    row = {"citizen_id": NUMBER, "name": "周航", "household_region": REGION,
           "insurances": "pension_enterprise", "insured_region": "310101"}
    upload = service.receive_file(db, ADMIN, source="elsewhere", filename="异地.csv",
                                  content=csv_file([row]))
    (event,) = follows(db)
    assert event.subject == f"registry_file:{upload.id}" and event.reason == f"来源文件{upload.id}"
    changed = json.loads(event.after)["entries"][f"registry_entry:{entry.id}"]
    assert changed["after"]["insured_elsewhere"] == "pension_enterprise"
    assert changed["after"]["elsewhere_region"] == "310101"
    again = service.receive_file(db, ADMIN, source="elsewhere", filename="异地.csv",
                                 content=csv_file([row]))
    assert again.id == upload.id and len(follows(db)) == 1  # the same file: nothing written


# --- collection (E§13): the newest correction wins, every field stays correctable, values checked


def _seven(db, settings):
    someone = person(db, "钱七", cid(BORN, 17), BORN, insurances=("pension_resident",), phone="")
    db.commit()
    batch.run(db, ADMIN, settings)
    return service.entry_for_person(db, someone.id)


def test_a_second_correction_replaces_the_first_and_the_name_stays_correctable(db, settings):
    entry = _seven(db, settings)
    service.collect(db, CLERK, entry.id, {"phone": "13900000001"})
    service.collect(db, CLERK, entry.id, {"phone": "13900000002", "residence": "西湖区新地址1号"})
    assert entry.phone == "13900000002" and entry.residence == "西湖区新地址1号"
    service.collect(db, CLERK, entry.id, {"name": "钱柒"})
    assert entry.name == "钱柒" and entry.phone == "13900000002"
    assert service.entry_sources(entry)["name"] == "collection"


@pytest.mark.parametrize(("field", "value", "code"), [
    ("phone", "abc", "registry.phone"), ("phone", "12", "registry.phone"),
    ("birth_date", "2090-01-01", "registry.birth_future")])
def test_collection_refuses_what_is_not_a_value(db, settings, field, value, code):
    entry = _seven(db, settings)
    records = db.execute(select(func.count()).select_from(SourceRecord)).scalar_one()
    with pytest.raises(InvalidInput) as bad:
        service.collect(db, CLERK, entry.id, {field: value})
    assert (bad.value.code, bad.value.field) == (code, field) and bad.value.message
    db.rollback()
    assert db.execute(select(func.count()).select_from(SourceRecord)).scalar_one() == records
