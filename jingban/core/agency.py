"""The running agency's context carried by each session: its region, calendar and policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from jingban.core import audit, policy
from jingban.core.actor import Actor
from jingban.core.db import transactional
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


# --- provisional due dates, once a year's calendar is published (SPEC §13) ------------------------

Redater = Callable[[Session, Actor], int]
_redaters: dict[str, Redater] = {}


def use_redater(area: str, redate: Redater) -> None:
    """An area's re-dating of its open provisional due dates (set by jingban.wiring)."""
    _redaters[area] = redate


@transactional
def redate_provisional(db: Session, actor: Actor) -> dict[str, int]:
    """After ``calendar load``: every open due date counted over a then-unpublished year is
    counted again on the published calendar; how many changed, per area."""
    calendar.cache_clear()
    return {area: redate(db, actor) for area, redate in sorted(_redaters.items())}


def redate(db: Session, actor: Actor, rows, start_and_days: Callable[[Any], tuple[dt.date, int]],
           field: str = "due_on") -> int:
    """Count each row's limit again from its start; record every date that moves."""
    changed = 0
    for row in rows:
        due = due_date(db, *start_and_days(row))
        before = getattr(row, field)
        if (due.due, due.provisional) == (before, row.due_provisional):
            continue
        setattr(row, field, due.due)
        row.due_provisional = due.provisional
        audit.record(db, actor, "calendar.redate", f"{row.__tablename__}:{row.id}",
                     before={field: before.isoformat(), "provisional": True},
                     after={field: due.due.isoformat(), "provisional": due.provisional})
        changed += 1
    return changed
