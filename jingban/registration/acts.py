"""Registration's acts for the case engine, and the directory through which the engine finds
the person or unit a case is about (registered by ``jingban.wiring``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.cases.acts import Act
from jingban.cases.parties import Party
from jingban.core.errors import NotFound
from jingban.registration import schemas as reg
from jingban.registration import service as registration
from jingban.registration.models import Employer, Person


def _person(result) -> str:
    return registration.person_subject(result)


def _employer(result) -> str:
    return registration.employer_subject(result)


ACTS = (
    Act("registration.register_person", None, reg.PersonCreate,
        lambda db, a, _, d: registration.register_person(db, a, d), _person),
    Act("registration.change_person", "ssn", reg.PersonChange, registration.change_person, _person),
    Act("registration.cancel_person", "ssn", reg.PersonCancel, registration.cancel_person, _person),
    Act("registration.correct_identity", "ssn", reg.IdentityCorrection,
        registration.correct_identity, _person),
    Act("registration.register_employer", None, reg.EmployerCreate,
        lambda db, a, _, d: registration.register_employer(db, a, d), _employer),
    Act("registration.change_employer", "uscc", reg.EmployerChange, registration.change_employer,
        _employer),
    Act("registration.cancel_employer", "uscc", reg.EmployerCancel, registration.cancel_employer,
        _employer),
)


def _person_party(person: Person) -> Party:
    return Party(registration.person_subject(person), person.ssn, person.name, person.phone or "",
                 person.death_date is not None)


def _employer_party(employer: Employer) -> Party:
    return Party(registration.employer_subject(employer), employer.uscc, employer.name,
                 employer.phone or "")


class Directory:
    """Persons by SSN, units by USCC, both by subject (``cases.parties.Directory``)."""

    def find(self, db: Session, field: str, key: str) -> Party | None:
        if field == "ssn":
            person = db.execute(select(Person).where(Person.ssn == key)).scalar()
            if person is None:
                raise NotFound("person.not_found", f"未找到社会保障号码为 {key} 的参保人", "payload.ssn")
            return _person_party(person)
        if field == "uscc":
            employer = db.execute(select(Employer).where(Employer.uscc == key)).scalar()
            if employer is None:
                raise NotFound("employer.not_found", f"未找到统一社会信用代码为 {key} 的参保单位",
                               "payload.uscc")
            return _employer_party(employer)
        return None

    def of(self, db: Session, subject: str | None) -> Party | None:
        kind, _, ident = (subject or "").partition(":")
        if kind == "person" and ident.isdigit():
            return _person_party(p) if (p := db.get(Person, int(ident))) is not None else None
        if kind == "employer" and ident.isdigit():
            return _employer_party(e) if (e := db.get(Employer, int(ident))) is not None else None
        return None

    def key_of(self, result: Any) -> str | None:
        if isinstance(result, Person):
            return result.ssn
        if isinstance(result, Employer):
            return result.uscc
        return None


DIRECTORY = Directory()
