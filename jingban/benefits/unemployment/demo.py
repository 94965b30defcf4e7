"""The demo region's unemployed person (issue 11's "Done when"): a worker whose fixed-term
contract ended two months ago after six years of unemployment contributions, registered as
unemployed, his claim (BEN-UNEMPLOYMENT) taken and approved at every level, so he receives
18 months of benefit from the registration month. His history is demo data written directly
(as the generator writes the region); the claim goes through the case engine. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award
from jingban.benefits.unemployment import service
from jingban.cases import service as cases
from jingban.core import clock, ids
from jingban.core.actor import Actor
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key

CLERK = Actor("clerk", frozenset({"clerk"}), False, "counter")
BANK_ACCOUNT = "6217000010008880001"
BASE = 600000  # 6,000.00 yuan (demo)
YEARS = 6  # 5 to under 10 years: 18 months (《失业保险条例》第十七条)
BIRTH = dt.date(1984, 4, 18)


@dataclass(frozen=True)
class Seeded:
    person: Person
    award: Award


def _month_before(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def _periods(last: dt.date, count: int) -> list[int]:
    found, year, month = [], last.year, last.month
    for _ in range(count):
        found.append(year * 100 + month)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(found)


def seed(db: Session, region: str) -> Seeded | None:
    """None when the region has no enterprise to have employed him."""
    ssn = ids.make_citizen_id("330106", BIRTH, 1777)
    person = db.scalar(select(Person).where(Person.ssn == ssn))
    if person is not None:
        return Seeded(person, service.latest_award(db, person.id))
    unit = db.scalar(select(Employer).where(Employer.kind == "enterprise", Employer.status == "active")
                     .order_by(Employer.id).limit(1))
    if unit is None:
        return None
    ended = _month_before(_month_before(clock.today()))  # two months back: registered last month
    person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name="演示失业人员", sex="M",
                    birth_date=BIRTH, phone="13900008801", registered_on=dt.date(2015, 1, 1),
                    status="active", household_region=region, address="演示市西湖区文一路8号")
    db.add(person)
    db.flush()
    db.add(Enrollment(person_id=person.id, employer_id=unit.id, insurance="unemployment",
                      exclusive_key=exclusive_key("unemployment", unit.id),
                      start_date=ended.replace(year=ended.year - YEARS, day=1),
                      contribution_base=BASE, status="ended", end_date=ended,
                      end_reason="劳动合同期满终止", separation="contract_expired"))
    db.add_all(Contribution(person_id=person.id, employer_id=unit.id, insurance="unemployment",
                            period=p, base=BASE, employer_amount=BASE // 200,
                            personal_amount=BASE // 200, paid_on=dt.date(p // 100, p % 100, 15))
               for p in _periods(ended, YEARS * 12))
    db.commit()
    registered = ended + dt.timedelta(days=9)
    case = cases.submit(db, CLERK, service.ITEM, {
        "ssn": ssn, "registration_date": min(registered, clock.today()).isoformat(),
        "bank_account": BANK_ACCOUNT})
    for level in range(1, case.levels_required + 1):
        reviewer = Actor(f"reviewer_{level}", frozenset({f"reviewer_{level}"}), False, "counter")
        cases.decide(db, reviewer, case.id, level, "approve", "演示：审核同意")
    return Seeded(person, service.latest_award(db, person.id))
