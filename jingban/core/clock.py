"""Time: timestamps are UTC, business dates are the date in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return now().astimezone(SHANGHAI).date()


def local(ts: dt.datetime) -> dt.datetime:
    """A stored UTC timestamp shown in Asia/Shanghai (SQLite returns it naive)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(SHANGHAI)
