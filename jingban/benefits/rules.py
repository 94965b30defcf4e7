"""Pension rules (SPEC §6). Pure functions; parameters come in from the dated policy files."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from jingban.core.money import round_fen

CATEGORIES = {"male": "男职工", "female_55": "原法定退休年龄55周岁的女职工",
              "female_50": "原法定退休年龄50周岁的女职工"}
MONTHS = 12


@dataclass(frozen=True)
class Retirement:
    age_months: int
    delay_months: int
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * MONTHS + month - 1 + months
    return index // MONTHS, index % MONTHS + 1


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


def survivor_months(contribution_months: int, pension_months_received: int | None,
                    table: dict) -> int:
    """抚恤金月数 (人社部发〔2021〕18号 第二条). ``pension_months_received`` is None for a person
    who died before retiring."""
    years = contribution_months // MONTHS  # full years count
    if contribution_months < 5 * MONTHS:
        months = table["under_5"]
    elif contribution_months < 10 * MONTHS:
        months = table["under_10"]
    else:
        months = table["up_to_15"] + max(0, years - 15)
    months = min(months, table["max"])
    if pension_months_received is not None:
        months = max(months - pension_months_received // MONTHS, table["retiree_min"])
    return months


def survivor_benefits(monthly_income: int, funeral_multiple: int, months: int,
                      contribution_months: int, own_contributions: int | None) -> tuple[int, int]:
    """(funeral grant, survivor pension) in fen; under 5 years of contributions the two together
    may not exceed what the person paid in (人社部发〔2021〕18号 第三条)."""
    funeral, pension = monthly_income * funeral_multiple, monthly_income * months
    if contribution_months < 5 * MONTHS and own_contributions is not None:
        total = funeral + pension
        if total > own_contributions:
            funeral = min(funeral, own_contributions)
            pension = own_contributions - funeral
    return funeral, pension
