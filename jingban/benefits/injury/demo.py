"""Work-injury data for the demo region (`jingban demo`): recipients of each kind of injury
benefit, every one taken through the case engine as a clerk and reviewers would.

The generator writes no contribution history, so each chosen worker (an active injury
enrollment with an employer) gets the 12 months of injury contributions before the injury
at his enrollment's base (演示数据). Then: a grade-3 worker with the monthly allowance and
nursing; a grade-7 worker whose employment ended (the one-off grants); a worker who died at
work, with his spouse's dependant pension; a recognised worker left for the clerk to take
the appraisal application; and, where the region has a fifth insured worker, a grade-4 worker
re-appraised (再次鉴定, 《工伤保险条例》第二十六条) to grade 2, whose monthly allowance
``service.redetermine`` raised from 75 % to 85 % of his own wage from the month after the new
conclusion (the old award 已重新核定, the grant difference paid once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban import demo as demo_data
from jingban.benefits.common import rules as common_rules
from jingban.cases import catalog
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person

BANK_ACCOUNT = "6217000010009992000"
CLERK = Actor("clerk", frozenset({"clerk"}), False, "counter")


@dataclass
class Seeded:
    disabled: Person  # grade 3: allowance and nursing monthly
    ended: Person  # grade 7: one-off grants on ending employment
    deceased: Person
    dependant: Person
    waiting: Person  # recognised, appraisal left to the clerk
    reappraised: Person | None = None  # grade 4 → 2 by 再次鉴定: the allowance re-determined


def _take(db: Session, item: str, ssn: str, payload: dict) -> None:
    provided = [m.code for m in catalog.item(item).materials]
    case = cases.submit(db, CLERK, item, {"ssn": ssn, **payload}, provided=provided)
    for level in range(1, case.levels_required + 1):
        reviewer = Actor(f"reviewer_{level}", frozenset({f"reviewer_{level}"}), False, "counter")
        cases.decide(db, reviewer, case.id, level, "approve", "演示：审核同意")


def _workers(db: Session, count: int) -> list[tuple[Person, Enrollment, Employer]]:
    first = demo_data.first_person(db)  # the portal login `person` stays as it is
    rows = db.execute(
        select(Person, Enrollment, Employer).join(Enrollment, Enrollment.person_id == Person.id)
        .join(Employer, Employer.id == Enrollment.employer_id)
        .where(Enrollment.insurance == "injury", Enrollment.status == "active",
               Person.status == "active", Person.id != (first.id if first else 0),
               Person.birth_date <= _born_by(25), Person.birth_date >= _born_by(50))
        .order_by(Person.id)).all()
    found, seen = [], set()
    for person, enrollment, employer in rows:
        if person.id not in seen:
            seen.add(person.id)
            found.append((person, enrollment, employer))
    return found[:count]


def _born_by(age: int) -> dt.date:
    """The latest birth date of someone ``age`` years old today (the demo follows the clock)."""
    today = clock.today()
    return dt.date(today.year - age, 1, 1)


def _history(db: Session, person: Person, enrollment: Enrollment, injured: dt.date) -> None:
    period = common_rules.period_of_date(injured)
    for _ in range(12):
        period = common_rules.previous_period(period)
        db.add(Contribution(person_id=person.id, employer_id=enrollment.employer_id, insurance="injury",
                            period=period, base=enrollment.contribution_base or 600000,
                            employer_amount=(enrollment.contribution_base or 600000) // 100,
                            personal_amount=0, paid_on=dt.date(period // 100, period % 100, 15)))
    enrollment.start_date = min(enrollment.start_date, dt.date(period // 100, period % 100, 1))
    db.commit()


def _spouse(db: Session, of: Person, taken: set[int]) -> Person | None:
    return db.execute(select(Person).where(Person.status == "active", Person.sex != of.sex,
                                           Person.birth_date <= _born_by(25),
                                           Person.id.not_in(taken)).order_by(Person.id.desc())
                      .limit(1)).scalar()


def seed(db: Session) -> Seeded | None:
    """The four workers and the dependant (and the re-appraised fifth where there is one);
    None when the region has too few insured workers."""
    workers = _workers(db, 5)
    if len(workers) < 4:
        return None
    today = clock.today()
    injured = dt.date(*common_rules.add_months(today.year, today.month, -8), 9)
    day = injured.isoformat
    after = {n: (injured + dt.timedelta(days=n)).isoformat() for n in (40, 150, 170, 180, 200)}
    for index, (person, enrollment, employer) in enumerate(workers):
        _history(db, person, enrollment, injured)
        _take(db, "BEN-INJURY-RECOGNITION", person.ssn, {
            "decision_number": f"演示工认〔{injured.year}〕{index + 1:03d}号", "decided_on": after[40],
            "injury_date": day(), "employer_uscc": employer.uscc, "description": "演示：机械伤害",
            "leave_until": (injured + dt.timedelta(days=120)).isoformat()})
    numbers = [f"演示工认〔{injured.year}〕{i + 1:03d}号" for i in range(len(workers))]
    for (person, _, _), number, grade, nursing in zip(workers[:2], numbers[:2], (3, 7), (3, 0), strict=True):
        _take(db, "BEN-INJURY-APPRAISAL-APPLY", person.ssn, {"decision_number": number,
                                                            "applied_on": after[150]})
        _take(db, "BEN-INJURY-APPRAISAL", person.ssn, {
            "decision_number": number, "conclusion_number": f"演示鉴〔{injured.year}〕{grade}号",
            "concluded_on": after[170], "grade": grade, "nursing_level": nursing})
        _take(db, "BEN-INJURY-DISABILITY", person.ssn, {"decision_number": number,
                                                       "bank_account": BANK_ACCOUNT})
    _take(db, "BEN-INJURY-ENDING", workers[1][0].ssn, {"decision_number": numbers[1],
                                                       "ended_on": after[200],
                                                       "bank_account": BANK_ACCOUNT})
    deceased = workers[2][0]
    spouse = _spouse(db, deceased, {w[0].id for w in workers})
    _take(db, "BEN-INJURY-DEATH", deceased.ssn, {
        "decision_number": numbers[2], "death_date": after[150], "payee_name": spouse.name,
        "bank_account": BANK_ACCOUNT,
        "dependants": [{"ssn": spouse.ssn, "relationship": "spouse", "bank_account": BANK_ACCOUNT}]})
    reappraised = _reappraised(db, workers[4][0], numbers[4], after) if len(workers) > 4 else None
    return Seeded(disabled=workers[0][0], ended=workers[1][0], deceased=deceased, dependant=spouse,
                  waiting=workers[3][0], reappraised=reappraised)


def _reappraised(db: Session, person: Person, number: str, after: dict[int, str]) -> Person:
    """First appraised grade 4 and determined (allowance 75 % of his own wage), then 再次鉴定 to
    grade 2 (85 %): the BEN-INJURY-APPRAISAL act of kind ``again`` re-determines the awards."""
    year = after[40][:4]
    _take(db, "BEN-INJURY-APPRAISAL-APPLY", person.ssn, {"decision_number": number,
                                                        "applied_on": after[150]})
    _take(db, "BEN-INJURY-APPRAISAL", person.ssn, {
        "decision_number": number, "conclusion_number": f"演示鉴〔{year}〕4号", "kind": "first",
        "concluded_on": after[170], "grade": 4, "nursing_level": 0})
    _take(db, "BEN-INJURY-DISABILITY", person.ssn, {"decision_number": number,
                                                   "bank_account": BANK_ACCOUNT})
    _take(db, "BEN-INJURY-APPRAISAL-APPLY", person.ssn, {"decision_number": number,
                                                        "applied_on": after[180]})
    _take(db, "BEN-INJURY-APPRAISAL", person.ssn, {
        "decision_number": number, "conclusion_number": f"演示省鉴〔{year}〕2号", "kind": "again",
        "concluded_on": after[200], "grade": 2, "nursing_level": 0})
    return person
