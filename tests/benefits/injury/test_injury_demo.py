"""The demo region holds recipients of every kind of injury benefit, each taken through the
case engine, and the next payroll pays them from the injury fund."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban import demo
from jingban.benefits.common.models import Award
from jingban.benefits.injury import demo as injury_demo
from jingban.core import clock
from tests.benefits.stop_helpers import TODAY, payroll


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_demo_injury_recipients(engine, settings, sessions):
    demo.generate(engine, settings, persons=200, employers=8, seed=3, as_of=dt.date(2026, 6, 30))
    with sessions() as db:
        seeded = injury_demo.seed(db)
        assert seeded is not None
        found = db.execute(select(Award.kind, Award.status, Award.person_id)).all()
    kinds = {kind for kind, _, _ in found}
    assert {"injury_grant", "injury_allowance", "injury_nursing", "injury_ending", "injury_death",
            "injury_dependant"} <= kinds
    assert ("injury_dependant", "active", seeded.dependant.id) in found
    payroll(sessions, 202612)
    with sessions() as db:
        from jingban.funds.ledger.models import JournalEntry

        booked = db.execute(select(JournalEntry.fund).where(JournalEntry.source.like("payroll:%")))
        assert booked.scalars().all() == ["injury"]
