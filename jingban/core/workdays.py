"""Working days (工作日) on the national holiday calendar, make-up workdays (调休) included.

Deadlines count from the day after receipt (收到申请之日起, R§6, R§10 …, SPEC §13).
``chinesecalendar`` knows the years the State Council has published when it was released.
For later years the agency loads the published schedule as a data file
(``jingban calendar load FILE``); without one, plain weekdays are used and the
result is marked provisional (SPEC §13).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
import yaml

from jingban.core.errors import InvalidInput

SATURDAY = 5


@dataclass(frozen=True)
class Due:
    due: dt.date
    provisional: bool

    @property
    def label(self) -> str:
        return due_label(self.due, self.provisional)


def due_label(day: dt.date, provisional: bool) -> str:
    """A due date as a notice states it: a provisional one says so."""
    return f"{day}（暂定）" if provisional else str(day)


@dataclass(frozen=True)
class YearSchedule:
    """One year's published schedule: holidays and make-up workdays."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    reference: str


def parse_schedule(text: str, source: str = "") -> YearSchedule:
    """Validate a calendar data file; a bad file is refused whole."""
    try:
        data = yaml.safe_load(text)
        year = int(data["year"])
        holidays = frozenset(_dates(data.get("holidays") or []))
        workdays = frozenset(_dates(data.get("workdays") or []))
        reference = str(data.get("reference") or "")
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("calendar.invalid", f"日历文件格式不正确：{exc}", source) from None
    if not reference:
        raise InvalidInput("calendar.reference", "日历文件须注明所依据的国务院办公厅通知", "reference")
    if any(d.year != year for d in holidays | workdays):
        raise InvalidInput("calendar.year", f"日历文件中有不属于{year}年的日期", "year")
    if holidays & workdays:
        raise InvalidInput("calendar.overlap", "同一日期不能既是假日又是调休工作日", "workdays")
    if any(d.weekday() < SATURDAY for d in workdays):
        raise InvalidInput("calendar.workday", "调休工作日必须是周末", "workdays")
    return YearSchedule(year, holidays, workdays, reference)


def _dates(values: list) -> list[dt.date]:
    return [v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in values]


class Calendar:
    """Answers whether a day is a working day, and whether that answer is known or assumed."""

    def __init__(self, dirs: tuple[Path, ...] = ()):
        self._years: dict[int, YearSchedule] = {}
        for directory in reversed(dirs):  # earlier directories override later ones
            for path in sorted(Path(directory).glob("*.yaml")) if Path(directory).is_dir() else []:
                schedule = parse_schedule(path.read_text(encoding="utf-8"), str(path))
                self._years[schedule.year] = schedule

    def is_workday(self, day: dt.date) -> tuple[bool, bool]:
        """(is a working day, known from a published schedule)."""
        if schedule := self._years.get(day.year):
            if day in schedule.holidays:
                return False, True
            if day in schedule.workdays:
                return True, True
            return day.weekday() < SATURDAY, True
        try:
            return chinese_calendar.is_workday(day), True
        except NotImplementedError:
            return day.weekday() < SATURDAY, False

    def add_workdays(self, received: dt.date, days: int) -> Due:
        """The last day of a limit of ``days`` working days counted from the day after receipt."""
        if days < 1:
            raise InvalidInput("workdays.days", "工作日天数必须大于零", "days")
        day, counted, provisional = received, 0, False
        while counted < days:
            day += dt.timedelta(days=1)
            workday, known = self.is_workday(day)
            provisional = provisional or not known
            counted += workday
        return Due(day, provisional)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)[0]
        return count
