"""Pension data for the demo region (`jingban demo`): enough to walk issue 5's whole pension
life in the pages — the pre-retirement list, the claim, the reviews, the first payroll, a death
on the population feed that stops the payment and opens a recovery, and the person's portal.

The generator writes no contribution history, so two generated persons of the enterprise
scheme who have reached the statutory age get deemed years from their personnel file and an
individual account. One (``ready``) is left for the clerk to claim and gets the portal login
``retiree``; the other's claim goes through the case engine, so next month's payroll has two
payees. No payroll is run here: a completed month is never reopened, and the clerk's award
starts next month too.

Pre-review notices go only to whoever reaches the statutory age at least 12 months ahead (D§18),
so the claimable retiree (already past the age) is listed in his own month but notified of
nothing: the demo names a separate person, ``upcoming``, and the first month at least 12 months
ahead in which he reaches the age (``notice_month``) — the month the clerk sends notices for.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban import demo as demo_data
from jingban.benefits.common import rules as common_rules
from jingban.benefits.pension import rules
from jingban.cases import service as cases
from jingban.core import clock, policy
from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from jingban.core.models import User
from jingban.records.models import AccountEntry, DeemedService
from jingban.registration.models import Enrollment, Person
from jingban.registration.service import person_subject

PORTAL_USER = "retiree"
PORTAL_PASSWORD = "demo-retiree-2026"
DEEMED_MONTHS = 192  # 16 years of deemed service (视同缴费) from the personnel file
ACCOUNT_BALANCE = 13_900_000  # fen
BANK_ACCOUNT = "6217000010009991000"
EARLIEST_BIRTH = dt.date(1960, 1, 1)  # nobody retiring from 2024 on was born earlier (cap 63)


@dataclass
class Seeded:
    """What the demo made: the person left to claim, his pre-review month, the person whose
    claim was approved, the first month both are paid, and the pre-review notice month (12 or
    more months ahead) with a person reaching the age in it (None when the region has none)."""

    ready: Person
    month: str
    paid: Person
    period: int
    notice_month: str = ""
    upcoming: Person | None = None


def _due(person: Person, schedules: dict) -> tuple[int, int]:
    due = rules.retirement(person.birth_date.year, person.birth_date.month,
                           schedules[person.retirement_category])
    return due.year, due.month


def retirees(db: Session, region: str) -> list[tuple[Person, tuple[int, int]]]:
    """Generated persons of the enterprise scheme who reached the statutory age from 2024 on
    (the demo region publishes its computation base from then), latest retirement first."""
    today = clock.today()
    schedules = policy.value("retirement.schedule", region, today)
    first = demo_data.first_person(db)  # the portal login `person` stays a contributor
    rows = db.execute(
        select(Person).join(Enrollment, Enrollment.person_id == Person.id)
        .where(Enrollment.insurance == "pension_enterprise", Enrollment.status == "active",
               Person.status == "active", Person.retirement_category.is_not(None),
               Person.id != (first.id if first else 0),
               Person.birth_date >= EARLIEST_BIRTH,
               Person.birth_date <= today.replace(year=today.year - 50, day=1))
        .order_by(Person.birth_date, Person.id)).scalars()
    found: dict[int, tuple[Person, tuple[int, int]]] = {}
    for person in rows:
        due = _due(person, schedules)
        if (2024, 1) <= due <= (today.year, today.month):
            found.setdefault(person.id, (person, due))
    return sorted(found.values(), key=lambda pair: (pair[1], pair[0].id), reverse=True)


def upcoming(db: Session, region: str) -> tuple[Person | None, tuple[int, int]]:
    """The generated enterprise-scheme person who reaches the statutory age first among those
    at least ``rules.PREREVIEW_LEAD_MONTHS`` ahead, and that month (or the earliest month a
    notice may be sent, with nobody)."""
    today = clock.today()
    schedules = policy.value("retirement.schedule", region, today)
    earliest = common_rules.add_months(today.year, today.month, rules.PREREVIEW_LEAD_MONTHS)
    rows = db.execute(
        select(Person).join(Enrollment, Enrollment.person_id == Person.id)
        .where(Enrollment.insurance == "pension_enterprise", Enrollment.status == "active",
               Person.status == "active", Person.retirement_category.is_not(None),
               Person.birth_date >= EARLIEST_BIRTH)
        .order_by(Person.id)).scalars()
    ahead = sorted(((_due(p, schedules), p.id, p) for p in rows if _due(p, schedules) >= earliest),
                   key=lambda row: row[:2])
    return (ahead[0][2], ahead[0][0]) if ahead else (None, earliest)


def _history(db: Session, person: Person) -> None:
    db.add(DeemedService(person_id=person.id, insurance="pension_enterprise", months=DEEMED_MONTHS,
                         from_date=dt.date(1981, 1, 1), to_date=dt.date(1996, 12, 31),
                         evidence="人事档案（演示）", recorded_by="demo"))
    db.add(AccountEntry(person_id=person.id, scheme="pension_enterprise", year=2024,
                        kind="contribution", amount=ACCOUNT_BALANCE, posted_on=dt.date(2024, 12, 31)))
    db.commit()


def seed(db: Session, region: str, password_profile: str) -> Seeded | None:
    """The two retirees, the approved claim and the portal login; None when the region has
    nobody past the statutory age."""
    found = retirees(db, region)
    if len(found) < 2:
        return None
    (ready, due), (paid, _) = found[0], found[-1]
    for person in (ready, paid):
        _history(db, person)
    clerk = Actor("clerk", frozenset({"clerk"}), False, "counter")
    case = cases.submit(db, clerk, "BEN-PENSION", {"ssn": paid.ssn, "bank_account": BANK_ACCOUNT})
    for level in range(1, case.levels_required + 1):
        reviewer = Actor(f"reviewer_{level}", frozenset({f"reviewer_{level}"}), False, "counter")
        cases.decide(db, reviewer, case.id, level, "approve", "演示：审核同意")
    if db.execute(select(User.id).where(User.username == PORTAL_USER)).first() is None:
        create_user(db, SYSTEM, PORTAL_USER, PORTAL_PASSWORD, {"person"}, display_name=ready.name,
                    subject=person_subject(ready), profile=password_profile, demo=True)
    today = clock.today()
    soon, notice = upcoming(db, region)
    return Seeded(ready=ready, month=f"{due[0]:04d}-{due[1]:02d}", paid=paid,
                  period=common_rules.next_period(common_rules.period_of(today.year, today.month)),
                  notice_month=f"{notice[0]:04d}-{notice[1]:02d}", upcoming=soon)


def portal_person(db: Session) -> Person | None:
    """The person the ``retiree`` login belongs to."""
    subject = db.execute(select(User.subject).where(User.username == PORTAL_USER)).scalar()
    kind, _, ident = (subject or "").partition(":")
    return db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None


def death_feed(person: Person, died: dt.date) -> bytes:
    """A population feed file (公安机关人口信息, JSON) reporting the person's death."""
    return json.dumps([{"event_id": f"DEMO-DEATH-{person.ssn}", "event": "death",
                        "citizen_id": person.ssn, "name": person.name,
                        "death_date": died.isoformat()}], ensure_ascii=False, indent=2).encode()


def write_death_feed(person: Person, folder: Path) -> Path:
    path = folder / "demo-population-death.json"
    path.write_bytes(death_feed(person, clock.today()))
    return path
