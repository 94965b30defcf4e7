"""Planted anomalies for the demo region (`jingban demo`, issue 12's "Done when"): one case for
each monitor, written as the rows the other areas would have written, on persons and an
employer of the generated region; then the lead's demo runs ``batch.run_monitors``.

``plant(db)`` picks the newest generated employees of the enterprise scheme (the pension demo
uses the oldest) and writes: a pensioner who died two months ago and was paid since; a second
pension of the residents' scheme paid for the same month; a month paid by two employers; a
base tripled last month; and a pension that started last month while the employer still
pays. The contributions carry ``record_id`` ``demo-monitor-…``: a second call writes nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award, Payment
from jingban.core import clock
from jingban.core.models import User
from jingban.oversight.monitors import rules
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person

TAG = "demo-monitor-"
MONTHLY = 320000  # fen


def _months_back(on: dt.date, n: int) -> int:
    period = rules.period_of(on)
    for _ in range(n):
        period = rules.previous_period(period)
    return period


def _employees(db: Session, count: int) -> list[tuple[Person, Enrollment]]:
    rows = db.execute(select(Person, Enrollment).join(Enrollment, Enrollment.person_id == Person.id)
                      .where(Enrollment.insurance == "pension_enterprise",
                             Enrollment.status == "active", Enrollment.employer_id.is_not(None),
                             Enrollment.contribution_base > 0, Person.death_date.is_(None),
                             Person.id.not_in(select(Award.person_id)),  # the pension demo's
                             ("person:" + cast(Person.id, String)).not_in(  # the portal logins
                                 select(User.subject).where(User.subject.is_not(None))))
                      .order_by(Person.id.desc()).limit(count)).all()
    return [(p, e) for p, e in rows]


def _contribution(person: Person, employer_id: int, period: int, base: int, n: int) -> Contribution:
    return Contribution(record_id=f"{TAG}{person.id}-{period}-{employer_id}-{n}",
                        person_id=person.id, employer_id=employer_id,
                        insurance="pension_enterprise", period=period, base=base,
                        employer_amount=base * 16 // 100, personal_amount=base * 8 // 100,
                        paid_on=dt.date(period // 100, period % 100, 15))


def _award(db: Session, person: Person, kind: str, start: int, on: dt.date) -> Award:
    award = Award(person_id=person.id, kind=kind, status="active", start_period=start,
                  monthly_amount=MONTHLY, decided_on=on, decided_by="demo")
    db.add(award)
    db.flush()
    return award


def _paid(db: Session, award: Award, *periods: int) -> None:
    db.add_all(Payment(award_id=award.id, person_id=award.person_id, period=p, gross=MONTHLY,
                       net=MONTHLY, paid_on=dt.date(p // 100, p % 100, 10)) for p in periods)


def plant(db: Session, on: dt.date | None = None) -> dict[str, str]:
    """Write the anomalies once; returns {monitor: name of the person planted} (empty when
    planted before or when the region has too few employees)."""
    on = on or clock.today()
    if db.execute(select(Contribution.id).where(Contribution.record_id.like(f"{TAG}%"))
                  .limit(1)).first():
        return {}
    chosen = _employees(db, 5)
    other = db.execute(select(Employer.id).order_by(Employer.id).limit(2)).scalars().all()
    if len(chosen) < 5 or len(other) < 2:
        return {}
    last, before, earlier = (_months_back(on, n) for n in (1, 2, 3))
    (dead, _), (twice, _), (payers, e_payers), (jump, e_jump), (retired, e_retired) = chosen
    dead.status, dead.death_date = "deceased", dt.date(before // 100, before % 100, 12)
    _paid(db, _award(db, dead, "pension_enterprise", earlier, on), earlier, before, last)
    _paid(db, _award(db, twice, "pension_enterprise", earlier, on), last)
    _paid(db, _award(db, twice, "pension_resident", earlier, on), last)
    second = other[0] if other[0] != e_payers.employer_id else other[1]
    db.add_all([_contribution(payers, e_payers.employer_id, last, e_payers.contribution_base, 1),
                _contribution(payers, second, last, e_payers.contribution_base, 2)])
    base = e_jump.contribution_base
    db.add_all(_contribution(jump, e_jump.employer_id, p, b, 1)
               for p, b in ((earlier, base), (before, base), (last, base * 3)))
    _award(db, retired, "pension_enterprise", last, on)
    db.add(_contribution(retired, e_retired.employer_id, last, e_retired.contribution_base, 1))
    db.commit()
    return {"death_payment": dead.name, "duplicate_benefit": twice.name,
            "duplicate_enrollment": payers.name, "base_change": jump.name,
            "pension_contributing": retired.name}
