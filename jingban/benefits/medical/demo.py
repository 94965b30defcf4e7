"""Demo recipients of medical and maternity benefits (synthetic data, 演示): a woman of the
demo region with a pregnancy record and a decided maternity allowance (a difficult twin
birth), a person with a recognised chronic disease, and two manual reimbursements — an
admission and a chronic outpatient bill — each taken in and approved through the case engine.
The employer's last-year maternity contribution wages are written from its staff's enrolled
bases when the region holds none (the demo has no contribution history of its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.benefits.maternity import service as maternity
from jingban.benefits.maternity.schemas import PregnancyIn
from jingban.benefits.medical.models import ManualClaim
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.records.models import Contribution
from jingban.registration.models import Enrollment, Person

BANK = "6217000010009990001"
CLERK = Actor("clerk", frozenset({"clerk"}), False, "counter")


@dataclass
class Seeded:
    mother: Person
    patient: Person
    cases: list[str]


def _approved(db: Session, item: str, payload: dict, provided: list[str]) -> str:
    case = cases.submit(db, CLERK, item, payload, provided=provided)
    for level in range(1, case.levels_required + 1):
        reviewer = Actor(f"reviewer_{level}", frozenset({f"reviewer_{level}"}), False, "counter")
        cases.decide(db, reviewer, case.id, level, "approve", "演示：审核同意")
    return case.number


def _insured(db: Session, insurance: str, sex: str | None, born_after: dt.date) -> Enrollment | None:
    stmt = (select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(
        Enrollment.insurance == insurance, Enrollment.status == "active",
        Enrollment.employer_id.is_not(None), Enrollment.start_date <= dt.date(2020, 1, 1),
        Person.status == "active", Person.birth_date >= born_after).order_by(Person.id))
    if sex:
        stmt = stmt.where(Person.sex == sex)
    return db.execute(stmt.limit(1)).scalars().first()


def _wages(db: Session, employer_id: int, year: int) -> None:
    """The employer's staff's maternity contribution wages of ``year`` at their enrolled base."""
    written = db.execute(select(func.count()).where(
        Contribution.employer_id == employer_id, Contribution.insurance == "maternity",
        Contribution.period.between(year * 100 + 1, year * 100 + 12))).scalar()
    if written:
        return
    staff = db.execute(select(Enrollment.person_id, Enrollment.contribution_base).where(
        Enrollment.employer_id == employer_id, Enrollment.insurance == "maternity",
        Enrollment.status == "active")).all()
    for person_id, base in staff:
        wage = int(base or 500000)
        db.add_all(Contribution(person_id=person_id, employer_id=employer_id, insurance="maternity",
                                period=year * 100 + m, base=wage, employer_amount=wage // 100,
                                personal_amount=0, paid_on=dt.date(year, m, 15)) for m in range(1, 13))
    db.flush()


def seed(db: Session) -> Seeded | None:
    """None when seeded already, or the region has no insured woman of child-bearing age or no
    other insured."""
    if db.execute(select(ManualClaim.id).limit(1)).first() is not None:
        return None
    today = clock.today()
    mother_at = _insured(db, "maternity", "F", dt.date(today.year - 40, 1, 1))
    patient_at = _insured(db, "medical_employee", "M", dt.date(1950, 1, 1))
    if mother_at is None or patient_at is None:
        return None
    mother, patient = db.get(Person, mother_at.person_id), db.get(Person, patient_at.person_id)
    birth = today - dt.timedelta(days=20)
    _wages(db, mother_at.employer_id, birth.year - 1)
    maternity.register_pregnancy(db, CLERK, mother.ssn,
                                 PregnancyIn(expected_on=birth, hospital="演示妇产医院"))
    claim = {"ssn": mother.ssn, "birth_date": birth.isoformat(), "babies": 2, "difficult_birth": True,
             "bank_account": BANK}
    numbers = [_approved(db, "BEN-MATERNITY", claim, ["medical_record"])]
    diagnosed = (today - dt.timedelta(days=30)).isoformat()
    numbers.append(_approved(db, "BEN-MEDICAL-CHRONIC", {"ssn": patient.ssn, "disease": "E11",
                                                         "hospital": "演示市第一人民医院",
                                                         "diagnosed_on": diagnosed}, ["diagnosis"]))
    admitted = today - dt.timedelta(days=40)
    invoices = [{"invoice_no": "DEMO-ZY-1", "hospital": "外省某医院（未直接结算）",
                 "service_on": admitted.isoformat(), "inpatient": True, "diagnosis": "J18.9",
                 "lines": [{"item": "治疗费", "category": "甲", "amount_fen": 600000},
                           {"item": "乙类药品", "category": "乙", "amount_fen": 200000},
                           {"item": "自费耗材", "category": "丙", "amount_fen": 50000}]},
                {"invoice_no": "DEMO-MZ-1", "hospital": "演示市第一人民医院", "service_on": today.isoformat(),
                 "inpatient": False, "diagnosis": "E11.9",
                 "lines": [{"item": "二甲双胍", "category": "甲", "amount_fen": 80000}]}]
    numbers.append(_approved(db, "BEN-MEDICAL-MANUAL", {"ssn": patient.ssn, "bank_account": BANK,
                                                        "invoices": invoices}, ["invoices", "diagnosis"]))
    return Seeded(mother, patient, numbers)
