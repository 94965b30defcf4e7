"""The filing limits here are worked out by hand from one day (the weekends and the holidays
around it), so these tests run on that day whatever day the suite is run for (--today)."""

from __future__ import annotations

import pytest

from jingban.core import clock

WORKED_FROM = "2026-11-24"  # a Tuesday; every hand-computed limit in this folder starts here


@pytest.fixture(autouse=True)
def on_the_worked_day():
    with clock.travel(WORKED_FROM):
        yield
