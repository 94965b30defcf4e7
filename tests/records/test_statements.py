"""The yearly statement batch (D§33) from grouped SQL: the same facts as a 个人权益记录单 built
row by row, over several person ranges, resuming after a stop."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.errors import Conflict
from jingban.core.money import to_yuan
from jingban.notices.models import Notification
from jingban.records import batch, proofs, rules
from jingban.records.models import AccountEntry, Contribution, DeemedService, Proof
from jingban.registration.models import Person
from tests.records.helpers import collector_csv, make_world, pension_row, upload

ACCOUNTANT = Actor("acct", frozenset({"accountant"}), True, "api")
YEAR = 2024


def _contribution(person_id: int, insurance: str, period: int, base: int | None, employer: int,
                  personal: int, **extra) -> Contribution:
    return Contribution(person_id=person_id, insurance=insurance, period=period, base=base,
                        employer_amount=employer, personal_amount=personal,
                        paid_on=dt.date(period // 100, period % 100, 20), **extra)


@pytest.fixture
def world(sessions, client, login):
    """2024 posted and credited for the employee; then, written directly, what a statement
    must get right: a month paid twice, a reversed month, an earlier and a later year, a
    resident paying yearly, deemed months, account entries before and after the year."""
    world = make_world(sessions)
    acct = login("accountant")
    rows = [pension_row(world, f"P{m}", YEAR * 100 + m) for m in range(1, 13)]
    assert upload(client, acct, collector_csv(rows)).json()["posted"] == 12
    assert client.post("/api/v1/accounts/interest-runs", json={"year": YEAR},
                       headers=acct).status_code == 201
    with sessions() as db:
        ids = dict(db.execute(select(Person.ssn, Person.id)).all())
        employee, resident = ids[world.employee], ids[world.resident]
        march = db.execute(select(Contribution).where(Contribution.person_id == employee,
                                                      Contribution.period == 202403)).scalar_one()
        db.add_all([
            _contribution(employee, "pension_enterprise", 202405, 900000, 144000, 72000),
            _contribution(employee, "pension_enterprise", 202312, 700000, 112000, 56000),
            _contribution(employee, "pension_enterprise", 202501, 800000, 128000, 64000),
            _contribution(employee, "pension_enterprise", 202403, march.base,
                          -march.employer_amount, -march.personal_amount, kind="reversal",
                          reverses_id=march.id),
            _contribution(resident, "pension_resident", 202406, None, 0, 300000),
            _contribution(resident, "pension_resident", 202309, None, 0, 200000),
            _contribution(resident, "pension_resident", 202310, None, 0, 100000),
            DeemedService(person_id=employee, insurance="pension_enterprise", months=61,
                          from_date=dt.date(1985, 1, 1), to_date=dt.date(1990, 1, 31),
                          evidence="档案", recorded_by="acct"),
            AccountEntry(person_id=employee, scheme="pension_enterprise", year=2023,
                         kind="contribution", amount=56000, posted_on=dt.date(2023, 12, 20)),
            AccountEntry(person_id=employee, scheme="pension_enterprise", year=2025,
                         kind="contribution", amount=64000, posted_on=dt.date(2025, 1, 20)),
            AccountEntry(person_id=resident, scheme="pension_resident", year=YEAR,
                         kind="contribution", amount=300000, posted_on=dt.date(2024, 6, 20)),
        ])
        db.commit()
    return world


def _without_stamp(facts: dict) -> dict:
    return {k: v for k, v in facts.items() if k != "issued_at"}


def test_statements_state_what_a_rights_record_states(world, db):
    assert proofs.yearly_statements(db, ACCOUNTANT, YEAR, chunk=2) == 3
    statements = db.execute(select(Proof, Person).join(Person, Person.id == Proof.person_id)
                            .where(Proof.year == YEAR)).all()
    assert len(statements) == 3
    for proof, person in statements:
        assert proofs.intact(proof)
        expected = proofs.rights_facts(db, [(person.id, person.name, person.ssn)], YEAR,
                                       proof.issued_at)[person.id]
        assert _without_stamp(proofs.facts_of(proof)) == _without_stamp(expected)
    facts = {person.ssn: proofs.facts_of(proof) for proof, person in statements}
    employee = facts[world.employee]
    line = employee["years"][0]
    assert (line["months"], line["base_min"], line["base_max"]) == (11, "8000.00", "9000.00")
    assert line["personal_total"] == "7760.00"  # 12 × 640 − 640 reversed + 720
    years = employee["contribution_years"][0]
    assert (years["actual_months"], years["deemed_months"], years["total"]) == (12, 61, "6年1个月")
    resident = facts[world.resident]
    assert [(y["months"], y["personal_total"]) for y in resident["years"]] == [(12, "3000.00")]
    assert resident["contribution_years"][0]["actual_months"] == 24
    assert resident["balances"] == [{"scheme": "pension_resident",
                                     "scheme_name": rules.SCHEMES["pension_resident"],
                                     "balance": "3000.00"}]
    assert facts[world.flexible]["years"] == [] and facts[world.flexible]["accounts"] == []


def test_statements_resume_after_a_stop(world, db):
    class Stop(Exception):
        """The run dies after its first range."""

    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        proofs.yearly_statements(db, ACCOUNTANT, YEAR, chunk=2, progress=stop)
    assert db.execute(select(func.count()).select_from(Proof)).scalar() == 2  # first range kept
    seen = []
    assert proofs.yearly_statements(db, ACCOUNTANT, YEAR, chunk=2,
                                    progress=lambda done, total: seen.append((done, total))) == 1
    assert seen == [(1, 2), (2, 2)]
    assert proofs.yearly_statements(db, ACCOUNTANT, YEAR, chunk=2) == 0
    assert db.execute(select(func.count()).select_from(Proof)).scalar() == 3
    assert db.execute(select(func.count()).select_from(Notification)
                      .where(Notification.kind == "statement")).scalar() == 3
    events = audit.history(db, f"statements:{YEAR}")
    assert [(e.act, audit.load(e.after)["issued"]) for e in events] == [
        ("records.yearly_statements", 2), ("records.yearly_statements", 1)]
    assert audit.verify(db).ok


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_statement_amounts_read_as_to_yuan(fen):
    assert proofs._yuan(fen) == str(to_yuan(fen))


@given(st.dictionaries(st.text(min_size=1), st.one_of(st.integers(), st.text(), st.none())))
def test_digest_from_the_facts_text_is_the_digest(facts):
    code = proofs.new_code()
    assert proofs._digest_of_text(code, "rights", audit.canonical(facts)) == \
        proofs.digest(code, "rights", facts)


@given(st.sampled_from(["pension_enterprise", "pension_resident"]),
       st.lists(st.integers(min_value=2020, max_value=2025).flatmap(
           lambda y: st.integers(min_value=1, max_value=12).map(lambda m: y * 100 + m))))
def test_months_by_year_add_up_to_actual_months(insurance, periods):
    by_year: dict[int, set[int]] = {}
    for p in periods:
        by_year.setdefault(p // 100, set()).add(p)
    assert sum(rules.year_months(insurance, len(v)) for v in by_year.values()) == \
        rules.actual_months(insurance, periods)
    expected = len(set(periods)) if insurance != "pension_resident" else 12 * len(by_year)
    assert rules.actual_months(insurance, periods) == expected


def test_a_statement_issued_meanwhile_is_a_conflict(world, db, monkeypatch):
    """Two runs racing for the same persons: the unique key refuses the second, cleanly."""
    chosen = batch.statement_persons
    first_run: list = []

    def as_if_none_were_issued(db_, year, low, high):
        if not first_run:
            first_run.extend(chosen(db_, year, low, high))
        return first_run

    monkeypatch.setattr(batch, "statement_persons", as_if_none_were_issued)
    assert proofs.yearly_statements(db, ACCOUNTANT, YEAR) == 3
    with pytest.raises(Conflict) as caught:
        proofs.yearly_statements(db, ACCOUNTANT, YEAR)
    assert caught.value.code == "db.conflict"
    assert db.execute(select(func.count()).select_from(Proof)).scalar() == 3
    assert db.execute(select(func.count()).select_from(Notification)).scalar() == 3
