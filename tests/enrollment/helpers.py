"""People on the register and department files about them, for the registry tests."""

from __future__ import annotations

import csv
import datetime as dt
import io

from jingban.core import ids
from jingban.core.actor import Actor
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key
from tests.conftest import REGION, uscc

ADMIN = Actor("admin1", frozenset({"data_admin"}), True, "counter")
CLERK = Actor("clerk1", frozenset({"clerk"}), False, "counter")
COLUMNS = ("citizen_id", "name", "sex", "birth_date", "household_region", "residence_region", "phone",
           "residence",
           "employment_status", "insurances", "insured_region", "not_enrolled_reason")


def cid(birth: dt.date, seq: int, area: str = REGION) -> str:
    return ids.make_citizen_id(area, birth, seq)


def employer(db) -> Employer:
    unit = Employer(uscc=uscc(), name="杭州登记库测试有限公司", kind="enterprise", region=REGION,
                    registered_on=dt.date(2015, 3, 1), status="active")
    db.add(unit)
    db.flush()
    return unit


def person(db, name: str, number: str, birth: dt.date, *, insurances=(), unit=None,
           phone: str = "13900000000", address: str = "杭州市西湖区文三路1号") -> Person:
    row = Person(ssn=number[:18], id_type="citizen_id", id_number=number, name=name,
                 sex="M" if int(number[-2 if len(number) == 18 else -1]) % 2 else "F",
                 birth_date=birth, phone=phone, address=address, household_region=REGION,
                 registered_on=dt.date(2010, 1, 1), status="active")
    db.add(row)
    db.flush()
    for insurance in insurances:
        employer_id = unit.id if unit is not None else None
        db.add(Enrollment(person_id=row.id, employer_id=employer_id, insurance=insurance,
                          exclusive_key=exclusive_key(insurance, employer_id),
                          start_date=dt.date(2015, 1, 1), status="active"))
    db.flush()
    return row


def csv_file(rows: list[dict]) -> bytes:
    out = io.StringIO()
    from jingban.enrollment import rules

    # other registry columns a row gives (ethnicity, household_type...); test-only keys are not sent
    more = tuple(dict.fromkeys(k for row in rows for k in row
                               if k not in COLUMNS and k in rules.COLUMNS))
    writer = csv.DictWriter(out, fieldnames=COLUMNS + more, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in COLUMNS + more})
    return out.getvalue().encode()
