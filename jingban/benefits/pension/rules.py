"""Pension rules (SPEC §6): retirement age, minimum contributions, the basic and account pension,
claims. Pure functions; parameters come in from the dated policy files.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jingban.benefits.common.rules import MONTHS, add_months
from jingban.core.money import round_fen

CATEGORIES = {"male": "男职工", "female_55": "原法定退休年龄55周岁的女职工",
              "female_50": "原法定退休年龄50周岁的女职工"}
# Nobody born before 1900 is alive to retire or be estimated: an earlier birth date is a typing
# error (0001-01-01 would otherwise answer a retirement in year 61). A data-quality bound, not law.
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# Pre-retirement review (预审): the agency reviews the file of whoever reaches the statutory age
# in 12 months and tells them and their employer (2021 经办条例征求意见稿 第十八条, SPEC §6:
# 距法定退休年龄12个月时). Notices go only to months at least that far ahead. The list may be
# read for any month up to ``PREREVIEW_MAX_MONTHS`` ahead (the reform's cap of 60 months of delay
# bounds how far ahead a cohort is known) and back to the first month someone born on
# EARLIEST_BIRTH could reach the lowest original age (50): a past month lists who reached the
# age then and may still claim.
PREREVIEW_LEAD_MONTHS = 12
PREREVIEW_MAX_MONTHS = 60
PREREVIEW_FIRST_MONTH = (EARLIEST_BIRTH.year + 50, 1)


@dataclass(frozen=True)
class Retirement:
    age_months: int
    delay_months: int
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def retirement(birth_year: int, birth_month: int, schedule: dict) -> Retirement:
    """Statutory retirement age and month under the gradual reform (2024-09-13 决定 and 办法):
    n = (birth year − start) × 12 + birth month; delay = ⌈n / step⌉ months, capped."""
    n = (birth_year - schedule["start_year"]) * MONTHS + birth_month
    delay = 0 if n <= 0 else min(math.ceil(n / schedule["step"]), schedule["cap"])
    age = schedule["base_months"] + delay
    year, month = add_months(birth_year, birth_month, age)
    return Retirement(age, delay, year, month)


def min_contribution_months(year_reaching_age: int, table: dict) -> int:
    """Minimum contribution months by the year the statutory age is reached (办法 第四条):
    15 years until 2029, +6 months a year from 2030, 20 years from 2039."""
    steps = max(0, year_reaching_age - table["start_year"] + 1)
    return min(table["base"] + steps * table["step"], table["cap"])


def flexible_problem(statutory_months: int, original_months: int, chosen_months: int,
                     contribution_months: int, minimum_months: int, flexible: int) -> str | None:
    """Why a chosen retirement age is not allowed, or None (办法 第二条、第三条)."""
    if chosen_months < statutory_months:
        if chosen_months < statutory_months - flexible:
            return f"提前退休最多{flexible}个月"
        if chosen_months < original_months:
            return "提前退休不得低于原法定退休年龄"
        if contribution_months < minimum_months:
            return "弹性提前退休须已满足最低缴费年限"
    if chosen_months > statutory_months + flexible:
        return f"延迟退休最多{flexible}个月"
    return None


def basic_pension(computation_base: int, average_index: Decimal, contribution_months: int,
                  rate: Decimal) -> int:
    """基础养老金 = (计发基数 + 本人指数化月平均缴费工资) ÷ 2 × 缴费年限 × 1 %, where the indexed
    wage is 计发基数 × 平均缴费指数 (国发〔2005〕38号 第六条). Years include deemed years."""
    indexed = Decimal(computation_base) * average_index
    years = Decimal(contribution_months) / MONTHS
    return round_fen((Decimal(computation_base) + indexed) / 2 * years * rate)


def payout_months(age_months: int, table: dict, fraction: str) -> Decimal:
    """计发月数 for an age in months: the table gives whole years; between two rows either
    interpolate by month or take the completed year (a documented, configurable choice)."""
    years, extra = divmod(age_months, MONTHS)
    ages = sorted(int(k) for k in table)
    years = min(max(years, ages[0]), ages[-1])
    low = Decimal(table[years] if years in table else table[str(years)])
    if fraction == "floor" or extra == 0 or years == ages[-1]:
        return low
    high = Decimal(table[years + 1] if years + 1 in table else table[str(years + 1)])
    return low + (high - low) * Decimal(extra) / MONTHS


def account_pension(balance: int, months: Decimal) -> int:
    """个人账户养老金 = 个人账户储存额 ÷ 计发月数 (国发〔2005〕38号 第六条)."""
    return round_fen(Decimal(balance) / months)
INDEX_PLACES = Decimal("0.0001")  # 平均缴费指数 kept to four decimals, as the provinces publish it


def average_index(paid_indices: list[Decimal], deemed_months: int, deemed_index: Decimal) -> Decimal:
    """本人平均缴费指数 over every month counted, paid months with their own index
    (缴费基数 ÷ 当年计发工资), deemed months at the deemed index (国发〔2005〕38号 第六条)."""
    months = len(paid_indices) + deemed_months
    if months == 0:
        return Decimal(0)
    total = sum(paid_indices, Decimal(0)) + deemed_index * deemed_months
    return (total / months).quantize(INDEX_PLACES, rounding=ROUND_HALF_UP)


def claim_problems(*, reached: bool, retirement_label: str, months: int, minimum: int,
                   flexible: str | None, other_award: str | None, transfer: str | None,
                   deceased: bool) -> list[str]:
    """Why a pension claim cannot be granted, all at once (R§18; 办法 第二条至第四条)."""
    problems = []
    if deceased:
        problems.append("参保人已死亡或已注销登记，不能申领基本养老金")
    if flexible:
        problems.append(f"所选退休年龄不符合弹性退休规定：{flexible}")
    elif not reached:
        problems.append(f"尚未达到退休年龄（{retirement_label}达到）")
    if months < minimum:
        problems.append(f"累计缴费年限不足：已缴{months}个月（含视同缴费），最低须{minimum}个月；"
                        "可延长缴费至满最低缴费年限后再申领（《国务院关于渐进式延迟法定退休年龄的办法》第四条）")
    if other_award:
        problems.append(f"已在领取{other_award}，不能重复领取基本养老金")
    if transfer:
        problems.append(f"{transfer}，须转移接续完成、缴费年限和个人账户合并后再申领")
    return problems
