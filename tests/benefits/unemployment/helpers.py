"""Unemployed persons with a contribution history inserted directly, earlier entitlements, and
the claim driven through the case engine."""

from __future__ import annotations

import datetime as dt
import json

from jingban.benefits.common.models import Award, Payment
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key
from tests.conftest import REGION, citizen_id_of, uscc

BANK = "6217000010007770001"
MONTHLY = 224100  # 2,241.00 yuan: 90 % of the demo minimum wage 2,490.00 (policy/330000)
PREMIUM = 40812  # 4,296.00 × 9.5 % = 408.12 yuan of employee-medical premium a month


def months(first: int, last: int) -> list[int]:
    found, period = [], first
    while period <= last:
        found.append(period)
        period = period + 1 if period % 100 < 12 else (period // 100 + 1) * 100 + 1
    return found


def employer(db, name: str = "杭州失业测试有限公司") -> Employer:
    found = Employer(uscc=uscc(), name=name, kind="enterprise", region=REGION,
                     registered_on=dt.date(2000, 1, 1), status="active")
    db.add(found)
    db.flush()
    return found


def unemployed(sessions, *, periods: list[int], ended: dt.date = dt.date(2026, 9, 30),
               separation: str | None = "contract_expired", active: bool = False,
               birth: dt.date = dt.date(1985, 6, 1), name: str = "失业甲",
               pension: list[int] = ()) -> str:
    """A person whose employer's unemployment enrollment ended on ``ended`` for
    ``separation``, with unemployment contributions (employer and person) in ``periods`` and
    enterprise pension contributions at a base of 6,000.00 in ``pension``."""
    with sessions() as db:
        ssn = citizen_id_of("M", birth)
        person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex="M",
                        birth_date=birth, phone="13900000011", registered_on=dt.date(2000, 1, 1),
                        status="active")
        db.add(person)
        db.flush()
        unit = employer(db)
        db.add(Enrollment(person_id=person.id, employer_id=unit.id, insurance="unemployment",
                          exclusive_key=exclusive_key("unemployment", unit.id),
                          start_date=dt.date(2010, 1, 1), contribution_base=600000,
                          status="active" if active else "ended",
                          end_date=None if active else ended,
                          end_reason="" if active else "解除劳动关系",
                          separation=None if active else separation))
        for period in periods:
            db.add(Contribution(person_id=person.id, employer_id=unit.id, insurance="unemployment",
                                period=period, base=600000, employer_amount=3000,
                                personal_amount=3000, paid_on=dt.date(period // 100, period % 100, 15)))
        if pension:
            db.add(Enrollment(person_id=person.id, employer_id=unit.id, insurance="pension_enterprise",
                              exclusive_key=exclusive_key("pension_enterprise", unit.id),
                              start_date=dt.date(2010, 1, 1), contribution_base=600000,
                              status="ended", end_date=ended, end_reason="解除劳动关系"))
        db.add_all(Contribution(person_id=person.id, employer_id=unit.id,
                                insurance="pension_enterprise", period=p, base=600000,
                                employer_amount=96000, personal_amount=48000, account_amount=48000,
                                paid_on=dt.date(p // 100, p % 100, 15)) for p in pension)
        db.commit()
        return ssn


def earlier_award(sessions, ssn: str, *, start: int, entitled: int, drawn: int) -> int:
    """An earlier unemployment benefit of ``entitled`` months, stopped after ``drawn`` months
    were paid (re-employment)."""
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        paid = months(start, 299912)[:drawn]
        award = Award(person_id=person.id, kind="unemployment", status="stopped",
                      start_period=start, last_period=paid[-1], monthly_amount=190000,
                      basic_amount=190000, breakdown=json.dumps({"inputs": {"months": entitled}}),
                      decided_on=dt.date(start // 100, start % 100, 20), decided_by="test",
                      bank_account=BANK, payee_name=person.name, stop_reason="重新就业")
        db.add(award)
        db.flush()
        db.add_all(Payment(award_id=award.id, person_id=person.id, period=p, kind="regular",
                           gross=190000, deduction=0, net=190000, bank_account=BANK,
                           paid_on=dt.date(p // 100, p % 100, 10)) for p in paid)
        db.commit()
        return award.id


def claim(registration: str = "2026-10-12") -> dict:
    return {"registration_date": registration, "bank_account": BANK}
