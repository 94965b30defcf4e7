"""Time: timestamps are UTC, business dates are the date in Asia/Shanghai.

The clock can be set (``JINGBAN_CLOCK`` or :func:`set_clock`): a training system, a
rehearsal of the year-end run, or a test suite then lives on that day. A set clock keeps
running from the moment it was set, so timestamps still advance and stay ordered.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENV = "JINGBAN_CLOCK"
SET_DAY_TIME = dt.time(10, 0)  # a set date starts at 10:00 local time, inside office hours

_offset = dt.timedelta(0)


def parse(value: str | dt.date | dt.datetime) -> dt.datetime:
    """A date (10:00 Asia/Shanghai that day) or an ISO datetime (local time when naive)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{ENV} 应为日期（YYYY-MM-DD）或ISO时间，收到：{value!r}") from None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, SET_DAY_TIME)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(dt.UTC)


def set_clock(value: str | dt.date | dt.datetime | None) -> None:
    """Make ``now()`` equal ``value`` from this moment on; ``None`` goes back to the real clock."""
    global _offset
    _offset = dt.timedelta(0) if value is None else parse(value) - dt.datetime.now(dt.UTC)


@contextmanager
def travel(value: str | dt.date | dt.datetime) -> Iterator[None]:
    """Live on another day inside a block (tests about the passage of time)."""
    saved = _offset
    set_clock(value)
    try:
        yield
    finally:
        _restore(saved)


def _restore(offset: dt.timedelta) -> None:
    global _offset
    _offset = offset


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _offset


def today() -> dt.date:
    return now().astimezone(SHANGHAI).date()


def local(ts: dt.datetime) -> dt.datetime:
    """A stored UTC timestamp shown in Asia/Shanghai (SQLite returns it naive)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(SHANGHAI)


if os.environ.get(ENV):
    set_clock(os.environ[ENV])
