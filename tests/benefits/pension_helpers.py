"""Persons with a contribution history, inserted directly (their years lie before the counter's
rules), and the claim case driven through the API."""

from __future__ import annotations

import datetime as dt

from jingban.records.models import AccountEntry, Contribution, DeemedService
from jingban.registration.models import Enrollment, Person
from jingban.registration.rules import exclusive_key
from tests.conftest import citizen_id_of

API = "/api/v1"
ACCOUNT = "6217000010001234567"


def retiree(sessions, *, birth: dt.date, sex: str = "M", category: str | None = None,
            periods: list[int] = (), base: int = 0, deemed: int = 0, balance: int = 0,
            name: str = "退休甲") -> str:
    """A person with pension contributions of ``base`` fen in each period, ``deemed`` months
    of deemed service and an individual account of ``balance`` fen; returns the SSN."""
    with sessions() as db:
        ssn = citizen_id_of(sex, birth)
        person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex=sex,
                        birth_date=birth, retirement_category=category, phone="13900000001",
                        registered_on=dt.date(2000, 1, 1), status="active")
        db.add(person)
        db.flush()
        db.add(Enrollment(person_id=person.id, insurance="pension_enterprise",
                          exclusive_key=exclusive_key("pension_enterprise", None),
                          start_date=dt.date(2000, 1, 1), contribution_base=base or None,
                          status="active"))
        for period in periods:
            db.add(Contribution(person_id=person.id, insurance="pension_enterprise", period=period,
                                base=base, employer_amount=base * 16 // 100,
                                personal_amount=base * 8 // 100, account_amount=base * 8 // 100,
                                paid_on=dt.date(period // 100, period % 100, 15)))
        if deemed:
            db.add(DeemedService(person_id=person.id, insurance="pension_enterprise",
                                 months=deemed, from_date=dt.date(1982, 1, 1),
                                 to_date=dt.date(1996, 12, 31), evidence="人事档案",
                                 recorded_by="test"))
        if balance:
            db.add(AccountEntry(person_id=person.id, scheme="pension_enterprise", year=2024,
                                kind="contribution", amount=balance, posted_on=dt.date(2024, 12, 31)))
        db.commit()
        return ssn


def claim(client, clerk, ssn, **payload):
    body = {"item": "BEN-PENSION", "payload": {"ssn": ssn, "bank_account": ACCOUNT, **payload}}
    return client.post(f"{API}/cases", json=body, headers=clerk)


def approve_all(client, case, reviewers):
    """Every level of the case, each by its own reviewer; returns the final case."""
    for level in range(1, case["levels_required"] + 1):
        reply = client.post(f"{API}/cases/{case['id']}/decisions", headers=reviewers[level - 1],
                            json={"level": level, "decision": "approve", "reason": "同意"})
        assert reply.status_code == 200, reply.text
        case = reply.json()
    return case
