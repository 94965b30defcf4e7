"""The fund budget rules (R§39 and its 解读; R§40 analysis and early warning; Z-10): which
months the draft is pre-filled from and how they are annualised, the review steps, and how
execution is measured against the time-proportional path.

The budget items and the accounts each one sums are dated policy (funds.budget_items); the
warning threshold is funds.budget_deviation_points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from jingban.core.money import round_fen

SIDES = {"income": "收入", "expense": "支出"}
STATUSES = {"draft": "编制中", "submitted": "待审核", "returned": "已退回", "approved": "已批准",
            "superseded": "已调整（被新版本取代）"}
EDITABLE = {"draft", "returned"}  # the preparer may still change the items
MONTHS_IN_YEAR = 12


@dataclass(frozen=True)
class BudgetItem:
    code: str
    name: str
    side: str  # SIDES
    accounts: tuple[int, ...]


def items_of(rows: list) -> list[BudgetItem]:
    """The dated funds.budget_items value as items, in their statutory order (R§39 解读)."""
    return [BudgetItem(str(code), str(name), str(side), tuple(int(a) for a in accounts))
            for code, name, side, accounts in rows]


def basis(today: dt.date) -> tuple[int, int, int]:
    """The months a draft drawn up on ``today`` is pre-filled from: (first period, last period,
    number of months). This year's whole months booked so far (January to last month); in
    January no month of this year is whole yet, so last year's twelve months stand in."""
    if today.month == 1:
        return (today.year - 1) * 100 + 1, (today.year - 1) * 100 + 12, MONTHS_IN_YEAR
    return today.year * 100 + 1, today.year * 100 + today.month - 1, today.month - 1


def item_actual(item: BudgetItem, sums: dict[int, tuple[int, int]]) -> int:
    """An item's actual amount from account → (debits, credits): income on the credit side,
    expenditure on the debit side, reversals and returned payments netted."""
    debit = sum(sums.get(a, (0, 0))[0] for a in item.accounts)
    credit = sum(sums.get(a, (0, 0))[1] for a in item.accounts)
    return credit - debit if item.side == "income" else debit - credit


def annualise(actual: int, months: int) -> int:
    """全年测算: the actual of ``months`` months × 12 ÷ months, half-up to the fen; an item
    whose net is negative (more reversed than booked) is budgeted at zero."""
    if months <= 0 or actual <= 0:
        return 0
    return round_fen(Decimal(actual) * MONTHS_IN_YEAR / months)


def remaining_months(today: dt.date) -> int:
    """Months of the current year not yet in the basis (the current one included)."""
    return MONTHS_IN_YEAR - today.month + 1


def opening_balance(accumulated: int, annual_net: int, months_left: int) -> int:
    """预计年初累计结余 of the budget year: the accumulated balance booked through the basis
    months plus this year's remaining months at the annualised rate."""
    return accumulated + round_fen(Decimal(annual_net) * months_left / MONTHS_IN_YEAR)


def year_balance(amounts: dict[str, int], items: list[BudgetItem]) -> tuple[int, int, int]:
    """(income total, expenditure total, 本年收支结余 = income − expenditure)."""
    income = sum(amounts.get(x.code, 0) for x in items if x.side == "income")
    expense = sum(amounts.get(x.code, 0) for x in items if x.side == "expense")
    return income, expense, income - expense


# --- review -------------------------------------------------------------------------------------

def review_problem(status: str, reviewer: str, prepared_by: str, submitted_by: str | None) -> str | None:
    """Why ``reviewer`` cannot approve or return a budget, or None: only a submitted one, and
    never by who prepared or submitted it (Z-10(2) 不相容岗位分离; SPEC §2)."""
    if status != "submitted":
        return f"预算{STATUSES.get(status, status)}，只能审核待审核的预算"
    if reviewer in {prepared_by, submitted_by}:
        return "预算的编制人、提交人不得审核本人编制的预算（不相容岗位分离）"
    return None


# --- execution ----------------------------------------------------------------------------------

def time_share(year: int, today: dt.date) -> Fraction:
    """时间进度: the share of the budget year elapsed on ``today`` (days, today included)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if today < first:
        return Fraction(0)
    if today >= last:
        return Fraction(1)
    return Fraction((today - first).days + 1, (last - first).days + 1)


def percent(part: int | Fraction, whole: int) -> Fraction | None:
    """执行率 in percent; None when nothing is budgeted."""
    return None if whole <= 0 else Fraction(part) * 100 / whole


def execution_flag(budget: int, cumulative: int, share: Fraction,
                   threshold_points: Fraction) -> str | None:
    """The warning on an item's execution, or None: off the time-proportional path by more
    than the threshold (R§40 基金预算执行分析与风险预警), or spent or received without a budget."""
    if budget <= 0:
        return "无预算数但已发生" if cumulative > 0 else None
    deviation = percent(cumulative, budget) - share * 100
    if deviation > threshold_points:
        return f"超时间进度 {round(float(deviation), 1)} 个百分点"
    if -deviation > threshold_points:
        return f"低于时间进度 {round(float(-deviation), 1)} 个百分点"
    return None
