"""The running agency's context carried by each session: its region, calendar and policy."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from jingban.core import policy
from jingban.core.workdays import Calendar, Due


def region(db: Session) -> str:
    return db.info["region"]


@lru_cache(maxsize=8)
def calendar(dirs: tuple[Path, ...]) -> Calendar:
    return Calendar(dirs)


def due_date(db: Session, received: dt.date, days: int) -> Due:
    return calendar(db.info["calendar_dirs"]).add_workdays(received, days)


def param(db: Session, name: str, on_date: dt.date):
    return policy.value(name, region(db), on_date)


def latest_param(db: Session, name: str, on_date: dt.date):
    """The last value set on or before ``on_date`` (None-valued years skipped) or None."""
    return policy.current().latest(name, region(db), on_date)
