"""A small insured world dated in the past (enrollments from 2024), and collector files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key
from tests.conftest import REGION, citizen_id, uscc

COLUMNS = ["record_id", "uscc", "ssn", "insurance", "period", "base", "employer_amount",
           "personal_amount", "paid_on"]
START = dt.date(2024, 1, 1)
BASE = 800000  # 8000.00 yuan, inside the 2024 floor/ceiling of the demo region


@dataclass
class World:
    uscc: str
    employee: str  # through the employer: pension, medical, injury, unemployment, maternity
    flexible: str  # 灵活就业: enterprise pension without an employer
    resident: str  # 城乡居民养老
    employer_id: int


def make_world(sessions) -> World:
    """Inserted directly (enrollments this far back are outside the counter's rules)."""
    with sessions() as db:
        employer = Employer(uscc=uscc(), name="杭州缴费测试有限公司", kind="enterprise",
                            region=REGION, registered_on=dt.date(2020, 1, 1), injury_risk_class=1,
                            status="active", flag="")
        db.add(employer)
        people = [_person(db, name, birth) for name, birth in
                  (("职工甲", dt.date(1965, 3, 1)), ("灵活乙", dt.date(1980, 6, 1)),
                   ("居民丙", dt.date(1970, 9, 1)))]
        db.flush()
        for insurance in ("pension_enterprise", "medical_employee", "injury", "unemployment",
                          "maternity"):
            _enroll(db, people[0], insurance, employer, BASE)
        _enroll(db, people[1], "pension_enterprise", None, BASE)
        _enroll(db, people[2], "pension_resident", None, None)
        db.commit()
        return World(employer.uscc, people[0].ssn, people[1].ssn, people[2].ssn, employer.id)


def _person(db, name: str, birth: dt.date) -> Person:
    ssn = citizen_id(birth)
    person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex="M",
                    birth_date=birth, registered_on=START, status="active")
    db.add(person)
    return person


def _enroll(db, person: Person, insurance: str, employer: Employer | None, base: int | None):
    db.add(Enrollment(person=person, employer=employer, insurance=insurance,
                      exclusive_key=exclusive_key(insurance, employer.id if employer else None),
                      start_date=START, contribution_base=base, status="active"))


def pension_row(world: World, record_id: str, period: int, **overrides) -> dict:
    """A correct enterprise pension row of the employee (16 % + 8 % of 8000.00)."""
    row = {"record_id": record_id, "uscc": world.uscc, "ssn": world.employee,
           "insurance": "pension_enterprise", "period": str(period), "base": "8000.00",
           "employer_amount": "1280.00", "personal_amount": "640.00",
           "paid_on": f"{period // 100}-{period % 100:02d}-15"}
    row.update(overrides)
    return row


def collector_csv(rows: list[dict], encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode(encoding)


def collector_json(rows: list[dict], indent: int | None = 1) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=indent).encode()


def upload(client, headers: dict, content: bytes, filename: str = "collector.csv"):
    return client.post("/api/v1/contributions/imports", files={"file": (filename, content)},
                       headers=headers)
