"""The demo region's registry (issue 14): department files about the registered people — the
police register with the usual noise, tax, and the higher-level list of people insured
elsewhere — plus people the agency has never registered and a few broken rows; then one
linkage run. Planted: duplicates across regions, people not enrolled, and registrations
without a phone or address (the clerk's prompt). Run once; a second run plants nothing."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.config import Settings
from jingban.enrollment import batch, rules, service, synthetic
from jingban.enrollment.models import LinkRun, SourceFile
from jingban.registration.models import Person

ADMIN = Actor("data_admin", frozenset({"data_admin"}), True, "cli")
COLUMNS = ("citizen_id", "name", "sex", "birth_date", "household_region", "phone", "residence",
           "employment_status", "insurances", "insured_region")
UNREGISTERED = 120  # people on the police register the agency never registered
ELSEWHERE = 25  # registered people also insured in another region (重复参保)
WITHOUT_PHONE = 5  # registrations missing a phone and an address (信息不准)


@dataclass
class Seeded:
    run: LinkRun
    files: int
    prompted: list[str]  # SSNs of registered people whose pages prompt the clerk


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in COLUMNS})
    return out.getvalue().encode()


def _truth(person: Person) -> synthetic.Truth:
    return synthetic.Truth(person.id, person.name, person.sex, person.birth_date,
                           person.household_region or person.ssn[:6], person.ssn,
                           rules.normalise_phone(person.phone), False)


def _police(persons: list[Person], strangers: list[synthetic.Truth], rng: random.Random) -> list[dict]:
    noise = synthetic.Noise(no_id=0.0, moved=0.0)
    rows = [synthetic.noisy(_truth(p), rng, noise) | {"residence": p.address}
            for p in persons if rng.random() < 0.95]
    rows += [synthetic.noisy(s, rng, noise) for s in strangers]
    rows += [{"name": "张三", "citizen_id": "330106199913320011", "household_region": "330106"},
             {"name": "", "citizen_id": persons[0].ssn}, {"name": "李四", "household_region": "990000",
                                                          "birth_date": "1980-01-01"}]
    return rows


def _active(person: Person) -> str:
    return ";".join(sorted({e.insurance for e in person.enrollments if e.status == "active"}))


def seed(db: Session, settings: Settings) -> Seeded | None:
    """None when the region is empty or the registry already has files."""
    if db.execute(select(SourceFile.id).limit(1)).first() is not None:
        return None
    persons = list(db.execute(select(Person).where(Person.status == "active",
                                                   Person.id_type == "citizen_id")
                              .order_by(Person.id)).scalars())
    if len(persons) < 50:
        return None
    rng = random.Random(14)
    prompted = persons[20:20 + WITHOUT_PHONE]
    for person in prompted:  # legacy registrations without a phone or address
        person.phone, person.address = "", ""
    strangers = [s for s in synthetic.population(UNREGISTERED, seed=1414, start=10**6)
                 if s.area in synthetic.AREAS]
    elsewhere = [{"citizen_id": p.ssn, "name": p.name, "insured_region": "310101",
                  "insurances": _active(p)} for p in persons[40:40 + ELSEWHERE]]
    elsewhere += [{"citizen_id": s.citizen_id, "name": s.name, "insured_region": "320102",
                   "insurances": "pension_enterprise;medical_employee"} for s in strangers[:20]]
    employed = [p for p in persons
                if any(e.employer_id and e.status == "active" for e in p.enrollments)]
    tax = [{"citizen_id": p.ssn, "name": p.name, "employment_status": "employed",
            "household_region": p.household_region} for p in employed[::3]]
    db.commit()
    for source, name, rows in (("police", "公安户籍人口.csv", _police(persons, strangers, rng)),
                               ("tax", "税务从业人员.csv", tax),
                               ("elsewhere", "上级登记库异地参保.csv", elsewhere)):
        service.receive_file(db, ADMIN, source=source, filename=name, content=_csv(rows))
    run = batch.run(db, ADMIN, settings)
    return Seeded(run, 3, [p.ssn for p in prompted])
