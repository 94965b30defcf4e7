"""Insured persons for the medical and maternity tests: enrollments and an employer's
maternity contributions inserted directly; invoices as the clerk enters them."""

from __future__ import annotations

import datetime as dt

from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key
from tests.conftest import REGION, citizen_id_of, uscc

BANK = "6217000010008880001"


def employer(db, name: str = "杭州医保测试有限公司") -> Employer:
    found = Employer(uscc=uscc(), name=name, kind="enterprise", region=REGION,
                     registered_on=dt.date(2000, 1, 1), status="active")
    db.add(found)
    db.flush()
    return found


def person(db, *, sex: str = "F", name: str = "参保甲", birth: dt.date = dt.date(1992, 5, 1)) -> Person:
    ssn = citizen_id_of(sex, birth)
    found = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex=sex, birth_date=birth,
                   phone="13900000031", registered_on=dt.date(2015, 1, 1), status="active")
    db.add(found)
    db.flush()
    return found


def enrol(db, who: Person, unit: Employer | None, insurance: str,
          start: dt.date = dt.date(2020, 1, 1)) -> Enrollment:
    found = Enrollment(person_id=who.id, employer_id=unit.id if unit else None, insurance=insurance,
                       exclusive_key=exclusive_key(insurance, unit.id if unit else None),
                       start_date=start, contribution_base=600000, status="active")
    db.add(found)
    db.flush()
    return found


def insured(sessions, *, sex: str = "F", name: str = "参保甲", maternity_from: dt.date | None = None,
            colleague_base: int = 800001) -> str:
    """A person with employee medical insurance through an employer since 2020 (and maternity
    from ``maternity_from``), the employer's 2025 maternity contributions: hers at a base of
    6,000.00 and a colleague's at ``colleague_base``, twelve months each."""
    with sessions() as db:
        unit = employer(db)
        who = person(db, sex=sex, name=name)
        enrol(db, who, unit, "medical_employee")
        if maternity_from:
            enrol(db, who, unit, "maternity", maternity_from)
        colleague = person(db, sex="M", name="同事乙", birth=dt.date(1988, 3, 3))
        for member, base in ((who, 600000), (colleague, colleague_base)):
            db.add_all(Contribution(person_id=member.id, employer_id=unit.id, insurance="maternity",
                                    period=202500 + m, base=base, employer_amount=base // 100,
                                    personal_amount=0, paid_on=dt.date(2025, m, 15))
                       for m in range(1, 13))
        db.commit()
        return who.ssn


def line(amount_fen: int, category: str = "甲", item: str = "诊疗费", share: int | None = None) -> dict:
    found = {"item": item, "category": category, "amount_fen": amount_fen}
    if share is not None:
        found["self_pay_bp"] = share
    return found


def invoice(number: str, service_on: str, lines: list[dict], *, inpatient: bool = True,
            diagnosis: str = "J18.9", hospital: str = "杭州市第一人民医院") -> dict:
    return {"invoice_no": number, "hospital": hospital, "service_on": service_on,
            "inpatient": inpatient, "diagnosis": diagnosis, "lines": lines}


def manual(ssn: str, *invoices: dict, purpose: str = "illness") -> dict:
    return {"ssn": ssn, "purpose": purpose, "bank_account": BANK, "invoices": list(invoices)}


def reimbursed(sessions, payload: dict):
    """A manual reimbursement taken in and approved through the case engine; its claim row."""
    from sqlalchemy import select

    from jingban.benefits.medical.models import ManualClaim
    from tests.benefits.stop_helpers import through_review

    case = through_review(sessions, "BEN-MEDICAL-MANUAL", payload, ["invoices", "diagnosis"])
    assert case["status"] == "completed", case
    with sessions() as db:
        claim = db.execute(select(ManualClaim).where(ManualClaim.case_id == case["id"])).scalar_one()
        db.expunge(claim)
        return claim
