"""Injured workers with an injury enrollment and a contribution history inserted directly,
their dependants, and the work-injury items driven through the case engine."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jingban.benefits.common.models import Award
from jingban.cases import catalog
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key
from tests.benefits.stop_helpers import through_review
from tests.conftest import REGION, citizen_id_of, uscc

BANK = "6217000010008880001"
INJURED = dt.date(2026, 3, 10)  # the 12 months before: 202503 … 202602
AVERAGE = 770000  # 7,700.00 yuan: the region's average monthly wage from 2025-01-01 (demo)


def person(db, name: str, birth: dt.date, sex: str = "M") -> Person:
    ssn = citizen_id_of(sex, birth)
    found = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex=sex,
                   birth_date=birth, phone="13900000021", registered_on=dt.date(2000, 1, 1),
                   status="active")
    db.add(found)
    db.flush()
    return found


def injured(sessions, *, base: int, name: str = "工伤甲", months: int = 12,
            insured: bool = True) -> tuple[str, str]:
    """A worker enrolled in injury insurance by an employer since 2020, with ``months``
    injury contributions at ``base`` fen before the injury month; (SSN, employer USCC)."""
    with sessions() as db:
        worker = person(db, name, dt.date(1980, 4, 2))
        unit = Employer(uscc=uscc(), name="杭州工伤测试有限公司", kind="enterprise", region=REGION,
                        registered_on=dt.date(2000, 1, 1), status="active", injury_risk_class=3)
        db.add(unit)
        db.flush()
        if insured:
            db.add(Enrollment(person_id=worker.id, employer_id=unit.id, insurance="injury",
                              exclusive_key=exclusive_key("injury", unit.id),
                              start_date=dt.date(2020, 1, 1), contribution_base=base, status="active"))
        period = 202602
        for _ in range(months):
            db.add(Contribution(person_id=worker.id, employer_id=unit.id, insurance="injury",
                                period=period, base=base, employer_amount=base // 100,
                                personal_amount=0, paid_on=dt.date(period // 100, period % 100, 15)))
            period = period - 1 if period % 100 > 1 else (period // 100 - 1) * 100 + 12
        db.commit()
        return worker.ssn, unit.uscc


def relative(sessions, name: str, birth: dt.date, sex: str = "F") -> str:
    with sessions() as db:
        found = person(db, name, birth, sex)
        db.commit()
        return found.ssn


def recognition(number: str, unit: str, **extra) -> dict:
    return {"decision_number": number, "decided_on": "2026-04-20", "injury_date": str(INJURED),
            "employer_uscc": unit, "description": "右手机械挤压伤", **extra}


def take(sessions, item: str, ssn: str, payload: dict) -> dict:
    provided = [m.code for m in catalog.item(item).materials]
    case = through_review(sessions, item, {"ssn": ssn, **payload}, provided)
    assert case["status"] == "completed", case
    return case


def recognised(sessions, ssn: str, unit: str, number: str, grade: int | None = None,
               nursing: int = 0, concluded: str = "2026-09-15") -> None:
    """Recognition, and given a grade the appraisal applied for and concluded."""
    take(sessions, "BEN-INJURY-RECOGNITION", ssn, recognition(number, unit, leave_until="2026-08-31"))
    if grade is None:
        return
    take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn, {"decision_number": number, "applied_on": "2026-09-01"})
    take(sessions, "BEN-INJURY-APPRAISAL", ssn, {
        "decision_number": number, "conclusion_number": f"JD-{number}",
        "concluded_on": concluded, "grade": grade, "nursing_level": nursing})


def awards_of(sessions, ssn: str) -> dict[str, Award]:
    with sessions() as db:
        found = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        rows = db.execute(select(Award).where(Award.person_id == found.id)).scalars().all()
        for row in rows:
            db.expunge(row)
        return {row.kind: row for row in rows}
