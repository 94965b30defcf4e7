"""A retiree with an award in force, payments made by part A's payroll, staff actors, and the
case engine driven through its levels — for the stop, verification and recovery tests."""

from __future__ import annotations

import datetime as dt

from jingban.benefits.common.models import Award
from jingban.benefits.payroll import batch
from jingban.cases import service as cases
from jingban.core.actor import Actor
from jingban.registration.models import Person
from tests.conftest import citizen_id_of

TODAY = dt.date(2026, 11, 24)
CLERK = Actor("clerk1", frozenset({"clerk"}), False, "counter")
ACCOUNTANT = Actor("acc1", frozenset({"accountant"}), False, "cli")
INSPECTOR = Actor("insp1", frozenset({"inspector"}), False, "counter")
FEED = Actor("data1", frozenset({"data_admin"}), False, "feed")
REVIEWERS = [Actor("rev1", frozenset({"reviewer_1"}), False, "counter"),
             Actor("rev2", frozenset({"reviewer_2"}), False, "counter"),
             Actor("rev3", frozenset({"reviewer_3"}), True, "counter")]


def recipient(sessions, *, monthly: int, start: int = 202601, kind: str = "pension_enterprise",
              birth: dt.date = dt.date(1960, 3, 8), name: str = "退休乙",
              decided_on: dt.date = dt.date(2025, 12, 20), last: int | None = None) -> tuple[str, int]:
    """A person and an active award of ``monthly`` fen from ``start``; (SSN, award id)."""
    with sessions() as db:
        ssn = citizen_id_of("M", birth)
        person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex="M",
                        birth_date=birth, phone="13900000002", registered_on=dt.date(2000, 1, 1),
                        status="active")
        db.add(person)
        db.flush()
        award = _award(person.id, kind, start, monthly, decided_on, last)
        db.add(award)
        db.commit()
        return ssn, award.id


def add_award(sessions, ssn: str, *, kind: str, start: int, monthly: int,
              last: int | None = None) -> int:
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        award = _award(person.id, kind, start, monthly, dt.date(2026, 11, 20), last)
        db.add(award)
        db.commit()
        return award.id


def _award(person_id: int, kind: str, start: int, monthly: int, decided_on: dt.date,
           last: int | None) -> Award:
    return Award(person_id=person_id, kind=kind, status="active", start_period=start,
                 last_period=last, monthly_amount=monthly, basic_amount=monthly,
                 account_amount=0, decided_on=decided_on, decided_by="test",
                 bank_account="6217000010009876543", payee_name="")


def payroll(sessions, *periods: int) -> None:
    """Part A's monthly payroll, one run per month."""
    for period in periods:
        with sessions() as db:
            batch.run_payroll(db, ACCOUNTANT, period)


def through_review(sessions, item: str, payload: dict, provided: list[str] | None = None) -> dict:
    """A case taken by the clerk and approved at every level; its final state."""
    with sessions() as db:
        case = cases.submit(db, CLERK, item, payload, provided=provided or [])
        case_id, levels = case.id, case.levels_required
    for level in range(1, levels + 1):
        with sessions() as db:
            cases.decide(db, REVIEWERS[level - 1], case_id, level, "approve", "核实无误")
    with sessions() as db:
        case = cases.get_case(db, CLERK, case_id)
        return {"id": case.id, "status": case.status, "levels": case.levels_required,
                "number": case.number}


def crash_after_first_range(monkeypatch) -> None:
    """Make the payroll die after its first person range, as a killed process would."""
    real, calls = batch.pay_range, {"n": 0}

    def crash(db_, actor, run_id, low, high):
        if calls["n"] == 1:
            raise RuntimeError("进程被终止")
        calls["n"] += 1
        return real(db_, actor, run_id, low, high)

    monkeypatch.setattr(batch, "pay_range", crash)
