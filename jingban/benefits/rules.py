"""Pension rules (SPEC §6). Pure functions; parameters come in from the dated policy files."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jingban.core.money import round_fen

CATEGORIES = {"male": "男职工", "female_55": "原法定退休年龄55周岁的女职工",
              "female_50": "原法定退休年龄50周岁的女职工"}
MONTHS = 12
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
    who died before retiring. The year thresholds (5, 10, 15) come from the policy table too."""
    years = contribution_months // MONTHS  # full years count
    if contribution_months < table["short_years"] * MONTHS:
        months = table["under_5"]
    elif contribution_months < table["mid_years"] * MONTHS:
        months = table["under_10"]
    else:
        months = table["up_to_15"] + max(0, years - table["full_years"])
    months = min(months, table["max"])
    if pension_months_received is not None:
        months = max(months - pension_months_received // MONTHS, table["retiree_min"])
    return months


# Under this many years of contributions the funeral grant and survivor pension together are
# capped at what the person paid in (人社部发〔2021〕18号 第三条); the same threshold as the
# ``short_years`` of the ``survivor.months`` policy, which a caller passes as ``table``.
SURVIVOR_CAP_YEARS = 5


def survivor_benefits(monthly_income: int, funeral_multiple: int, months: int,
                      contribution_months: int, own_contributions: int | None,
                      table: dict | None = None) -> tuple[int, int]:
    """(funeral grant, survivor pension) in fen; under 5 years of contributions the two together
    may not exceed what the person paid in (人社部发〔2021〕18号 第三条)."""
    funeral, pension = monthly_income * funeral_multiple, monthly_income * months
    cap_years = table["short_years"] if table else SURVIVOR_CAP_YEARS
    if contribution_months < cap_years * MONTHS and own_contributions is not None:
        total = funeral + pension
        if total > own_contributions:
            funeral = min(funeral, own_contributions)
            pension = own_contributions - funeral
    return funeral, pension


# --- claims and determination (R§18, D§18) ----------------------------------------------------

PENSION_KINDS = ("pension_enterprise", "pension_institution", "pension_resident")
INDEX_PLACES = Decimal("0.0001")  # 平均缴费指数 kept to four decimals, as the provinces publish it


def period_of(year: int, month: int) -> int:
    return year * 100 + month


def next_period(period: int) -> int:
    year, month = add_months(period // 100, period % 100, 1)
    return period_of(year, month)


def previous_period(period: int) -> int:
    year, month = add_months(period // 100, period % 100, -1)
    return period_of(year, month)


def valid_period(period: int) -> bool:
    return 190001 <= period <= 299912 and 1 <= period % 100 <= 12


# --- the payroll's months (policy choice, SPEC §6 payroll) -------------------------------------
# A month may be paid when (a) it is not later than next month (a payroll runs ahead at most one
# month); (b) it is not earlier than the first month any award is due (``start_period``), since
# before that nothing can be owed and a run would be an empty month closed for ever; and (c) the
# months go forward: once a month has been run, a new run is allowed only after the latest run,
# only once that run is completed, and not over a skipped month in which an award was due (a
# month with nobody to pay may be left without a run). A skipped month is refused rather than
# caught up silently: the accountant runs the missing month first, so every month has its own
# run, bank file and totals (and its payments are never mixed into another month's lines). The
# first run of a new installation may start at any month allowed by (a) and (b): months before
# it were paid by the system it replaces.
def payroll_period_problem(period: int, current: int, earliest_due: int | None,
                           latest_run: tuple[int, str] | None,
                           skipped_due: int | None = None) -> str | None:
    """Why a payroll run may not be started for ``period``, or None. ``skipped_due``: the
    first month between the latest run and ``period`` in which an award was due, if any."""
    if period > next_period(current):
        return "不能提前发放下月以后的待遇"
    if earliest_due is None or period < earliest_due:
        return "该月份之前没有应发的待遇，不能发放"
    if latest_run is not None:
        last, status = latest_run
        if period < last:
            return f"已发放至{last // 100}年{last % 100}月，不能补建更早月份的发放批次"
        if status != "completed":
            return f"{last // 100}年{last % 100}月的发放批次尚未完成，请先续跑完成"
        if skipped_due is not None:
            return (f"{skipped_due // 100}年{skipped_due % 100}月有应发待遇但尚未发放，"
                    "请按月依次发放，不能跳过月份")
    return None


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


# Debts still being recovered (R§46): open, under an instalment agreement, or defaulted — a
# default escalates (notice, credit record) but the payroll keeps deducting from later benefits,
# and repayments and account offsets are still taken. The one definition recovery and the
# payroll both use.
DEBTS_RECOVERING = ("open", "agreement", "defaulted")


def deduction(balance: int, gross: int, cap_ratio: Decimal) -> int:
    """追回抵扣 from one month's benefit: the debt's balance, at most the cap × the gross (R§46)."""
    return max(0, min(balance, round_fen(Decimal(gross) * cap_ratio)))


# --- stops, suspensions, back pay and recovery (R§25, R§26, R§46) -----------------------------

# Stopping events (R§25 解读): what each does to an award, and its name. Death and loss of
# eligibility stop; imprisonment (在押服刑) suspends until release.
STOP_REASONS = {"death": ("stop", "死亡"), "declared_dead": ("stop", "被宣告死亡"),
                "imprisonment": ("suspend", "在押服刑"),
                "nationality_loss": ("stop", "丧失国籍"), "other": ("stop", "其他丧失领取资格情形")}
DEATH_REASONS = ("death", "declared_dead")
# Loss of nationality stops the resident pension only (R§25 解读（一）3).
NATIONALITY_KINDS = ("pension_resident",)
# A dependant's benefit (遗属待遇) names the deceased insured person; his death stops nothing.
DEPENDANT_KINDS = ("survivor",)
RESUME_REASONS = {"release": "刑满释放（或假释、监外执行）", "wrong_match": "比对信息有误（错误匹配）"}


def period_of_date(day: dt.date) -> int:
    return day.year * 100 + day.month


def shift_period(period: int, months: int) -> int:
    year, month = add_months(period // 100, period % 100, months)
    return year * 100 + month


def stop_applies(reason: str, award_kind: str) -> bool:
    """Whether a stopping event concerns an award of this kind (R§25 解读)."""
    if reason in ("death", "declared_dead", "imprisonment", "other"):
        return award_kind not in DEPENDANT_KINDS or reason == "imprisonment"
    return reason == "nationality_loss" and award_kind in NATIONALITY_KINDS


def effective_period(event_day: dt.date) -> int:
    """The first month no longer due: the month after the event (death: paid to the month of
    death, stopped from the next; R§25 解读, SPEC §12)."""
    return shift_period(period_of_date(event_day), 1)


def overpaid(payments: list[tuple[int, int]], effective: int) -> tuple[list[int], int]:
    """(months, gross total) of the payments made for months from ``effective`` on: what was
    paid after the right ended is an overpayment to be ordered back (R§46)."""
    months = sorted(period for period, _ in payments if period >= effective)
    return months, sum(gross for period, gross in payments if period >= effective)


def resume_period(reason: str, suspended_from: int, release_day: dt.date) -> int:
    """From which month a suspended award is due again: after a release, the month after it
    (nothing is due for the months in custody, 劳社部函〔2001〕44号); after a wrong match, from
    the suspension itself (nothing should have been withheld)."""
    if reason == "wrong_match":
        return suspended_from
    return max(suspended_from, effective_period(release_day))


def back_pay_periods(start: int, through: int, paid: set[int]) -> list[int]:
    """补发: every month from ``start`` to ``through`` that has no payment yet (never twice)."""
    months, period = [], start
    while period <= through:
        if period not in paid:
            months.append(period)
        period = shift_period(period, 1)
    return months


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
