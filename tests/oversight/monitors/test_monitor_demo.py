"""The demo's planted anomalies (jingban.oversight.monitors.demo) are found by the monitors,
and planting twice writes nothing more."""

from __future__ import annotations

from sqlalchemy import select

from jingban import demo as demo_data
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.oversight.monitors import batch, demo
from jingban.oversight.monitors.models import MonitorHit
from jingban.registration.models import Person

INSPECTOR = Actor("inspector-demo", frozenset({"inspector"}), True, "cli")


def test_the_demo_region_shows_a_planted_case_of_each_kind(engine, settings, sessions):
    demo_data.generate(engine, settings, persons=300, employers=10)
    with sessions() as db:
        planted = demo.plant(db)
        assert len(planted) == 5
        assert demo.plant(db) == {}
        batch.run_monitors(db, INSPECTOR, clock.today())
        found = set(db.execute(select(MonitorHit.monitor, Person.name)
                               .join(Person, Person.id == MonitorHit.person_id)).all())
    assert set(planted.items()) <= found
