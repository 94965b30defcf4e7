"""Recovery rules (R§46): debts being recovered, deductions, instalments, defaults. Pure functions.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from jingban.benefits.common.rules import add_months
from jingban.core.money import round_fen

# Debts still being recovered (R§46): open, under an instalment agreement, or defaulted — a
# default escalates (notice, credit record) but the payroll keeps deducting from later benefits,
# and repayments and account offsets are still taken. The one definition recovery and the
# payroll both use.
DEBTS_RECOVERING = ("open", "agreement", "defaulted")


def deduction(balance: int, gross: int, cap_ratio: Decimal) -> int:
    """追回抵扣 from one month's benefit: the debt's balance, at most the cap × the gross (R§46)."""
    return max(0, min(balance, round_fen(Decimal(gross) * cap_ratio)))


def instalment_schedule(balance: int, count: int,
                        first_due: dt.date) -> list[tuple[int, dt.date, int]]:
    """分期还款计划 (R§46): ``count`` monthly instalments from ``first_due`` (same day of each
    month, the month's last day when shorter) whose amounts add up to the balance exactly; the
    fen that do not divide evenly go to the first instalments."""
    share, rest = divmod(balance, count)
    plan = []
    for seq in range(count):
        year, month = add_months(first_due.year, first_due.month, seq)
        day = min(first_due.day, calendar.monthrange(year, month)[1])
        plan.append((seq + 1, dt.date(year, month, day), share + (1 if seq < rest else 0)))
    return plan


def allocate(amounts: list[int], covered: int) -> list[int]:
    """What each instalment has received when ``covered`` fen went to them in order."""
    paid = []
    for amount in amounts:
        part = max(0, min(amount, covered))
        paid.append(part)
        covered -= part
    return paid


def agreement_problem(balance: int, count: int, max_count: int) -> str | None:
    """Why an instalment agreement cannot be made, or None (R§46: 难以一次性退回的)."""
    if balance <= 0:
        return "该笔追回款已无余额，无需签订还款协议"
    if not 2 <= count <= max_count:
        return f"分期期数应为2至{max_count}期"
    if balance < count:
        return "每期还款额不能少于1分"
    return None


def in_default(due_amounts: int, instalment_total: int, balance: int) -> bool:
    """A repayment agreement is broken when the instalments due beyond the grace period add up
    to more than has been paid towards the agreement (its total less the balance left)."""
    return due_amounts > instalment_total - balance
