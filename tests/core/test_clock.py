"""The settable clock: the suite lives on --today, a block can travel, a set clock keeps running."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from jingban.core import clock


def test_the_suite_runs_on_its_fixed_day_not_the_machines(pytestconfig):
    assert clock.today() == clock.parse(pytestconfig.getoption("--today")).astimezone(
        clock.SHANGHAI).date()
    assert os.environ[clock.ENV] == pytestconfig.getoption("--today")  # servers we start follow


def test_a_date_starts_at_ten_in_shanghai_and_a_naive_datetime_is_local():
    assert clock.parse("2027-02-10") == dt.datetime(2027, 2, 10, 2, 0, tzinfo=dt.UTC)
    assert clock.parse("2026-12-31T23:30") == dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)
    assert clock.parse("2026-12-31T23:30+00:00").astimezone(clock.SHANGHAI).date() == \
        dt.date(2027, 1, 1)
    with pytest.raises(ValueError, match="JINGBAN_CLOCK"):
        clock.parse("明天")


def test_travel_sets_and_restores_and_the_clock_keeps_running():
    before = clock.today()
    with clock.travel(dt.date(2030, 6, 30)):
        first = clock.now()
        assert clock.today() == dt.date(2030, 6, 30)
        assert clock.now() >= first  # timestamps stay ordered
        with clock.travel("2027-02-10T09:00"):
            assert clock.today() == dt.date(2027, 2, 10)
        assert clock.today() == dt.date(2030, 6, 30)
    assert clock.today() == before
