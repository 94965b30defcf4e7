"""The synthetic region generator, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from jingban import demo
from jingban.core import audit, ids, policy
from jingban.core.db import make_engine
from jingban.core.migrate import upgrade
from jingban.core.models import AuditEvent
from jingban.registration import rules
from jingban.registration.models import Card, Employer, Enrollment, Person

AS_OF = dt.date(2026, 6, 30)
SEED = 7


@pytest.fixture
def generated(engine, settings, sessions):
    assert demo.is_empty(engine)
    calls = []
    summary = demo.generate(engine, settings, persons=200, employers=10, seed=SEED,
                            as_of=AS_OF, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (200, 200)
    return summary


def _count(db, model) -> int:
    return db.execute(select(func.count()).select_from(model)).scalar()


def test_counts(generated, db, engine):
    assert not demo.is_empty(engine)
    assert (generated.persons, generated.employers) == (200, 10)
    assert _count(db, Person) == 200
    assert _count(db, Employer) == 10
    assert _count(db, Enrollment) == generated.enrollments
    assert _count(db, Card) == generated.cards
    assert generated.employed + generated.residents == 200
    assert 0.7 < generated.employed / 200 < 0.95


def test_identifiers_validate(generated, db):
    for person in db.execute(select(Person)).scalars():
        parsed = ids.parse_citizen_id(person.ssn, AS_OF)
        assert ric.is_valid(person.ssn), person.ssn  # stdnum knows the area in the birth year
        assert (parsed.birth_date, parsed.sex) == (person.birth_date, person.sex)
        assert person.id_number == person.ssn
        assert dt.date(1955, 1, 1) <= person.birth_date <= dt.date(2005, 12, 31)
    for uscc in db.execute(select(Employer.uscc)).scalars():
        assert ids.validate_uscc(uscc) == uscc


def test_enrollments_keep_the_rules(generated, db):
    duplicates = db.execute(
        select(Enrollment.person_id, Enrollment.exclusive_key)
        .where(Enrollment.status == "active")
        .group_by(Enrollment.person_id, Enrollment.exclusive_key)
        .having(func.count() > 1)).all()
    assert duplicates == []
    kinds = dict(db.execute(select(Employer.id, Employer.kind)).all())
    for e in db.execute(select(Enrollment)).scalars():
        assert e.exclusive_key == rules.exclusive_key(e.insurance, e.employer_id)
        assert rules.enrollment_route_problem(e.insurance, kinds.get(e.employer_id)) is None
        assert e.start_date <= AS_OF
        assert e.end_date is None if e.status == "active" else e.end_date >= e.start_date


def test_bases_within_limits(generated, db, settings):
    floor, ceiling = rules.base_limits(
        *(policy.value(f"contribution.{name}", settings.region, AS_OF)
          for name in ("average_monthly_wage", "base_floor_ratio", "base_ceiling_ratio")))
    for insurance, base in db.execute(select(Enrollment.insurance, Enrollment.contribution_base)):
        if insurance in rules.NEEDS_BASE:
            assert floor <= base <= ceiling
        else:
            assert base is None


def test_one_audit_event_and_the_chain_holds(generated, db, settings):
    events = db.execute(select(AuditEvent)).scalars().all()
    assert [(e.act, e.subject) for e in events] == [("demo.generate", f"region:{settings.region}")]
    after = audit.load(events[0].after)
    assert after["persons"] == 200 and after["seed"] == SEED
    assert audit.verify(db).ok


def test_deterministic_for_a_seed(generated, db, settings, tmp_path):
    other = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    upgrade(other)
    demo.generate(other, settings, persons=200, employers=10, seed=SEED, as_of=AS_OF)

    def fingerprint(conn_or_session):
        people = conn_or_session.execute(
            select(Person.ssn, Person.name, Person.registered_on).order_by(Person.id)).all()
        bases = conn_or_session.execute(
            select(Enrollment.insurance, Enrollment.contribution_base).order_by(Enrollment.id)).all()
        return [tuple(r) for r in people], [tuple(r) for r in bases]

    with other.connect() as conn:
        assert fingerprint(conn) == fingerprint(db)
    other.dispose()
