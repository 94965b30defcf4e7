"""Dynamic updates (E§20–§24): registration events — a registration, an enrollment, a stop, a
death — and a new department file update the built registry in their own transaction, without a
relink; before the first run they leave the registry alone (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from jingban.core import clock
from jingban.enrollment import batch, service
from jingban.enrollment.models import LinkRun, RegistryEntry, RegistryFlag, SourceRecord
from jingban.registration import service as registration
from jingban.registration.schemas import EnrollmentCreate, EnrollmentEnd, PersonCreate
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, CLERK, cid, csv_file

BORN = dt.date(1988, 8, 8)
NUMBER = cid(BORN, 61)


def entry_by_id(db, number: str) -> RegistryEntry:
    return db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == number,
                                                  RegistryEntry.status != "retired")).scalar_one()


def kinds(db, entry) -> set[str]:
    return {f.kind for f in service.open_flags(db, entry.id)}


def runs(db) -> int:
    return db.execute(select(func.count()).select_from(LinkRun)).scalar_one()


def police_then_link(db, settings):
    row = {"citizen_id": NUMBER, "name": "周航", "household_region": REGION, "phone": "13600006161",
           "residence": "西湖区文二路8号"}
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file([row]))
    batch.run(db, ADMIN, settings)
    return entry_by_id(db, NUMBER)


def test_registration_enrollment_stop_and_death_update_the_entry(db, settings):
    entry = police_then_link(db, settings)
    assert kinds(db, entry) == {"not_enrolled"}
    person = registration.register_person(db, CLERK, PersonCreate(
        id_number=NUMBER, name="周航", household_region=REGION, phone="13600006161",
        address="西湖区文二路8号"))
    assert service.entry_for_person(db, person.id).id == entry.id  # joined by the citizen ID
    enrollment = registration.enroll(db, CLERK, person.ssn, EnrollmentCreate(
        insurance="pension_resident", start_date=clock.today().replace(day=1)))
    db.refresh(entry)
    assert entry.insured_here == "pension_resident" and kinds(db, entry) == set()
    cleared = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == entry.id)).scalar_one()
    assert cleared.status == "cleared" and cleared.cleared_source == "业务变动：参保"
    registration.end_enrollment(db, CLERK, person.ssn, enrollment.id, EnrollmentEnd(
        end_date=clock.today(), reason="个人申请停保"))
    db.refresh(entry)
    assert entry.insured_here == "" and kinds(db, entry) == {"not_enrolled"}
    registration.record_death(db, CLERK, person.ssn, clock.today(), "公安死亡信息")
    db.refresh(entry)
    assert kinds(db, entry) == set() and entry.status == "deceased"
    assert service.statistics(db, ADMIN)["summary"]["persons"] == 0  # not a resident any more
    assert runs(db) == 1  # no relink happened


def test_a_new_registration_without_a_match_becomes_its_own_entry(db, settings):
    police_then_link(db, settings)
    other = cid(dt.date(1992, 2, 2), 63)
    person = registration.register_person(db, CLERK, PersonCreate(
        id_number=other, name="吴桐", household_region=REGION))
    entry = service.entry_for_person(db, person.id)
    assert entry.citizen_id == other and entry.record_count == 1
    assert kinds(db, entry) == {"not_enrolled", "inaccurate"}  # no phone, no residence


def test_a_new_file_is_placed_at_once_and_its_broken_rows_listed(db, settings):
    entry = police_then_link(db, settings)
    rows = [{"citizen_id": NUMBER, "name": "周航", "household_region": REGION,
             "insurances": "pension_enterprise", "insured_region": "310101"},
            {"citizen_id": cid(dt.date(1999, 9, 9), 65), "name": "郑好", "household_region": "999999"},
            {"citizen_id": cid(dt.date(2026, 1, 5), 67), "name": "新生儿", "household_region": REGION}]
    upload = service.receive_file(db, ADMIN, source="elsewhere", filename="异地.csv",
                                  content=csv_file(rows))
    _, bad = service.get_file(db, ADMIN, upload.id)
    assert (upload.accepted, upload.rejected) == (2, 1) and bad[0].error_field == "household_region"
    db.refresh(entry)
    assert entry.insured_elsewhere == "pension_enterprise" and entry.elsewhere_region == "310101"
    assert kinds(db, entry) == set()
    assert entry_by_id(db, cid(dt.date(2026, 1, 5), 67)).record_count == 1
    assert runs(db) == 1


def test_before_the_first_run_events_leave_the_registry_alone(db):
    registration.register_person(db, CLERK, PersonCreate(id_number=NUMBER, name="周航",
                                                         household_region=REGION))
    assert db.execute(select(func.count()).select_from(SourceRecord)).scalar_one() == 0
    assert db.execute(select(func.count()).select_from(RegistryEntry)).scalar_one() == 0
