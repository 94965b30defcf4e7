"""Rules of the monthly fund report and the public disclosure (SPEC §9): when a month's report
is due and what state it is in, how many months of benefits the fund holds, the year's figures.

The due day and the reserve threshold are dated policy (funds_reports.yaml, funds.yaml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from jingban.funds.ledger.rules import BENEFIT_EXPENSE, month_end, period_of

# 报送状态 of a fund's month (郑州通知第三部分(四)).
STATES = {"open": "未到报送期", "due": "待报送", "overdue": "逾期未报", "filed": "已报送",
          "late": "逾期报送"}
# 收益 the fund earned (R§50 收益情况): 利息收入 and 委托投资收益, the two return items of the
# budget's income (R§39 解读); funds.chart codes.
RETURN_ACCOUNTS = (4301, 4401)
# 待遇支付: the spending the reserve must cover (郑州通知第十部分(六) 预留至少三个月待遇支付基金)
BENEFIT_ACCOUNTS = (BENEFIT_EXPENSE,)
AVERAGE_MONTHS = 12  # the months of spending the reserve is measured against


def next_period(period: int) -> int:
    year, month = divmod(period, 100)
    return period + 1 if month < 12 else (year + 1) * 100 + 1


def previous_period(period: int) -> int:
    year, month = divmod(period, 100)
    return period - 1 if month > 1 else (year - 1) * 100 + 12


def due_on(period: int, due_day: int) -> dt.date:
    """A month's report is due on ``due_day`` of the following month (郑州通知第三部分(四):
    每月15日前报送上月份情况)."""
    year, month = divmod(next_period(period), 100)
    return dt.date(year, month, min(due_day, month_end(next_period(period)).day))


def state(period: int, today: dt.date, due: dt.date, filed_on: dt.date | None) -> str:
    """open until the month has ended; then due, overdue after the due day; once filed, filed
    or late depending on the day of the first filing."""
    if filed_on is not None:
        return "late" if filed_on > due else "filed"
    if today <= month_end(period):
        return "open"
    return "overdue" if today > due else "due"


def average_expense(spent: Mapping[int, int], period: int, months: int = AVERAGE_MONTHS) -> int:
    """Average monthly expenditure (fen, floored) over the months among the ``months`` up to
    ``period`` that had any; 0 when none had."""
    window = [spent.get(p, 0) for p in months_up_to(period, months)]
    values = [v for v in window if v > 0]
    return sum(values) // len(values) if values else 0


def months_up_to(period: int, count: int) -> list[int]:
    """The ``count`` periods ending with ``period``, oldest first."""
    found = [period]
    while len(found) < count:
        found.insert(0, previous_period(found[0]))
    return found


def below_reserve(months: float | None, threshold: float) -> bool:
    """Z-10(6): at least ``threshold`` months of benefits are kept liquid; a fund that has
    spent nothing yet holds no measurable months and is not flagged."""
    return months is not None and months < threshold


def last_ended_period(today: dt.date) -> int:
    return previous_period(period_of(today))


def year_ended(year: int, today: dt.date) -> bool:
    return today > dt.date(year, 12, 31)
