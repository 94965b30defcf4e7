"""Unemployment benefit rules (失业保险待遇, R§24; 《社会保险法》第四十五条至第五十一条;
《失业保险条例》第十四条至第二十一条). Pure functions; the figures come from dated policy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jingban.benefits.common.rules import MONTHS, add_months, shift_period
from jingban.core.money import round_fen

KIND = "unemployment"
INSURANCE = "unemployment"
MEDICAL = "medical_employee"  # the premium the fund pays is the employee-medical one

# Stopping events of an unemployment benefit (《社会保险法》第五十一条；《失业保险条例》第十五条),
# each a stop from the month after the event; the months not yet drawn are kept for a later
# claim (第十七条: 与前次失业应当领取而尚未领取的期限合并计算).
STOPS = {"reemployment": "重新就业", "enlistment": "应征服兵役", "emigration": "移居境外",
         "pension_start": "享受基本养老保险待遇", "refused_work": "无正当理由拒不接受推荐的工作或培训"}
REFUSALS_TO_STOP = 2  # 拒不接受当地人民政府指定部门或者机构介绍的适当工作或者提供的培训（两次，办法第十七条）


def duration_months(contribution_months: int, table: dict) -> int:
    """领取期限 by cumulative contribution years (《失业保险条例》第十七条): the longest tier
    whose full years are reached; nothing under the first tier (1 year)."""
    years = contribution_months // MONTHS
    found = 0
    for min_years, months in table["tiers"]:
        if years >= min_years:
            found = months
    return found


def entitled_months(new_months: int, carried: int, table: dict) -> int:
    """This claim's months and the months left from an earlier entitlement, together never
    more than the cap (24, 第十七条)."""
    return min(new_months + carried, table["max"])


def amount_problem(monthly: int, minimum_living: int, minimum_wage: int) -> str | None:
    """失业保险金标准 must lie between the minimum living standard and the minimum wage
    (《社会保险法》第四十七条)."""
    if not minimum_living <= monthly <= minimum_wage:
        return (f"失业保险金标准{monthly}分不在最低生活保障标准{minimum_living}分与最低工资标准"
                f"{minimum_wage}分之间，请核对政策参数")
    return None


def last_period(start: int, months: int) -> int:
    """The last month paid: ``months`` months from the registration month on."""
    return shift_period(start, months - 1)


def months_between(first: int, last: int) -> int:
    """Months from ``first`` to ``last`` inclusive (0 when last < first)."""
    count = (last // 100 - first // 100) * MONTHS + last % 100 - first % 100 + 1
    return max(count, 0)


def medical_premium(base: int, rate: Decimal) -> int:
    """代缴职工基本医疗保险费 per month (《社会保险法》第四十八条；人社部发〔2011〕77号 第二条)."""
    return round_fen(Decimal(base) * rate)


def total_benefit(monthly: int, months: int) -> int:
    """What an entitlement comes to: the monthly amount × the months (fen)."""
    return monthly * months


# --- 技能提升补贴 (人社部发〔2017〕40号；人社厅发〔2019〕94号) ---------------------------------------

TRAINING_KIND = "training_subsidy"
LEVELS = {5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师"}


def training_deadline(issued: dt.date, window: int) -> dt.date:
    """The last day to apply: ``window`` months after the certificate (the same day of month,
    or the month's last day)."""
    year, month = add_months(issued.year, issued.month, window)
    following = dt.date(*add_months(year, month, 1), 1)
    return min(dt.date(year, month, 1) + dt.timedelta(days=issued.day - 1),
               following - dt.timedelta(days=1))


def training_problems(paid: int, minimum: int, issued: dt.date, today: dt.date, window: int,
                      same_certificate: bool, this_year: int, per_year: int) -> list[str]:
    """Why a training subsidy is refused (人社部发〔2017〕40号；人社厅发〔2019〕94号)."""
    problems = []
    if paid < minimum:
        problems.append(f"累计缴纳失业保险费{paid}个月，不满{minimum}个月")
    if issued > today:
        problems.append("证书核发日期不能晚于今天")
    elif today > training_deadline(issued, window):
        problems.append(f"证书核发已超过{window}个月，不能再申领技能提升补贴")
    if same_certificate:
        problems.append("该证书已享受过技能提升补贴，不能重复申领")
    if this_year >= per_year:
        problems.append(f"本年度已享受技能提升补贴{this_year}次，每人每年最多{per_year}次")
    return problems


# --- 稳岗返还 (人社部发〔2024〕40号) -------------------------------------------------------------

# 终止就业原因 that count as a lay-off by the employer (裁员).
LAYOFFS = ("dismissed", "discharged", "mutual_by_employer")


def stabilisation_refund(contributions: int, rate: Decimal) -> int:
    """稳岗返还 = last year's unemployment contributions of the employer and its staff × rate."""
    return round_fen(Decimal(contributions) * rate)
