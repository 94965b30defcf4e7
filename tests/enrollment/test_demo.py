"""The demo region's registry: several sources, planted duplicates and gaps, the clerk's
prompt on a registered person, and nothing planted twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jingban import demo
from jingban.enrollment import demo as registry_demo
from jingban.enrollment import service
from jingban.enrollment.models import RegistryFlag
from jingban.registration.models import Person
from tests.enrollment.helpers import ADMIN


def test_demo_registry(engine, settings, sessions):
    demo.generate(engine, settings, persons=200, employers=8, seed=3, as_of=dt.date(2026, 6, 30))
    with sessions() as db:
        seeded = registry_demo.seed(db, settings)
        assert seeded is not None and seeded.run.entries > 200
        kinds = set(db.execute(select(RegistryFlag.kind).where(RegistryFlag.status == "open")).scalars())
        assert {"duplicate", "not_enrolled", "inaccurate"} <= kinds
        person = db.execute(select(Person).where(Person.ssn == seeded.prompted[0])).scalar_one()
        entry = service.entry_for_person(db, person.id)
        assert {"phone", "residence"} <= set(service.prompt_fields(db, entry))
        stats = service.statistics(db, ADMIN)
        assert 0 < stats["summary"]["coverage"] < 100
        assert registry_demo.seed(db, settings) is None
