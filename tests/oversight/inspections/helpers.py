"""Subjects on the register, the inspector and the reviewers, for the inspection and penalty
tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from jingban.cases import service as cases
from jingban.core.actor import Actor
from jingban.registration.models import Employer, Person
from tests.conftest import REGION, citizen_id_of, uscc

INSPECTOR = Actor("insp1", frozenset({"inspector"}), False, "counter")
CLERK = Actor("clerk1", frozenset({"clerk"}), False, "counter")
SUPERVISOR = Actor("sup1", frozenset({"supervisor"}), False, "counter")
REVIEWERS = [Actor("rev1", frozenset({"reviewer_1"}), False, "counter"),
             Actor("rev2", frozenset({"reviewer_2"}), False, "counter"),
             Actor("rev3", frozenset({"reviewer_3"}), True, "counter")]
# A Wednesday before the Mid-Autumn and National Day holidays of 2026 (10-10 a make-up workday)
BEFORE_HOLIDAY = "2026-09-23"


def employer(db, name: str = "杭州核查测试有限公司") -> Employer:
    unit = Employer(uscc=uscc(), name=name, kind="enterprise", region=REGION,
                    phone="0571-88886666", registered_on=dt.date(2015, 3, 1), status="active")
    db.add(unit)
    db.commit()
    return unit


def person(db, name: str = "王核查") -> Person:
    ssn = citizen_id_of("F", dt.date(1962, 4, 9))
    row = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex="F",
                 birth_date=dt.date(1962, 4, 9), phone="13900001111",
                 registered_on=dt.date(2000, 1, 1), status="active")
    db.add(row)
    db.commit()
    return row


def approve(db, case_id: int, levels: int):
    case = None
    for level in range(1, levels + 1):
        case = cases.decide(db, REVIEWERS[level - 1], case_id, level, "approve", "同意")
    return case


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))
