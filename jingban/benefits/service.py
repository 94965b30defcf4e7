"""Benefit services. Estimates (待遇测算) read policy only and change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from jingban.benefits import rules
from jingban.benefits.schemas import PensionEstimate, PensionQuery, RetirementEstimate
from jingban.core import clock, ids, policy
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput
from jingban.core.money import parse_yuan, to_yuan

RETIREMENT_BASIS = "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定；" \
                   "《国务院关于渐进式延迟法定退休年龄的办法》"


def _age_label(months: int) -> str:
    years, extra = divmod(months, rules.MONTHS)
    return f"{years}岁" + (f"{extra}个月" if extra else "")


def estimate_retirement(db: Session, actor: Actor, birth_date: dt.date,
                        category: str) -> RetirementEstimate:
    """Statutory retirement age and month, minimum contribution months and the flexible window."""
    if birth_date > clock.today():
        raise InvalidInput("estimate.birth_date", "出生日期不能晚于今天", "birth_date")
    region, today = db.info["region"], clock.today()
    schedule = policy.value("retirement.schedule", region, today)[category]
    result = rules.retirement(birth_date.year, birth_date.month, schedule)
    minimum = rules.min_contribution_months(
        result.year, policy.value("pension.min_contribution_months", region, today))
    flexible = policy.value("retirement.flexible_months", region, today)
    earliest = max(result.age_months - flexible, schedule["base_months"])
    early = rules.add_months(birth_date.year, birth_date.month, earliest)
    late = rules.add_months(birth_date.year, birth_date.month, result.age_months + flexible)
    return RetirementEstimate(
        category=category, retirement_age_months=result.age_months,
        retirement_age=_age_label(result.age_months), delay_months=result.delay_months,
        retirement_month=result.label, min_contribution_months=minimum,
        earliest_flexible_month=f"{early[0]:04d}-{early[1]:02d}",
        latest_flexible_month=f"{late[0]:04d}-{late[1]:02d}", basis=RETIREMENT_BASIS)


def estimate_pension(db: Session, actor: Actor, query: PensionQuery) -> PensionEstimate:
    """Basic part + account part for the given inputs, with every parameter it used."""
    region = ids.validate_region(query.region)
    year, month = (int(p) for p in query.retirement_month.split("-"))
    on = dt.date(year, month, 1)
    base = policy.value("pension.computation_base", region, on)
    rate = Decimal(policy.value("pension.basic_rate", region, on))
    age = query.retirement_age_months or 60 * rules.MONTHS
    table = policy.value("pension.payout_months", region, on)
    fraction = policy.value("pension.payout_months_fraction", region, on)
    months = rules.payout_months(age, table, fraction)
    balance = parse_yuan(query.account_balance, "account_balance")
    basic = rules.basic_pension(base, query.average_index, query.contribution_months, rate)
    account = rules.account_pension(balance, months)
    minimum = rules.min_contribution_months(
        year, policy.value("pension.min_contribution_months", region, on))
    return PensionEstimate(
        basic=str(to_yuan(basic)), account=str(to_yuan(account)),
        total=str(to_yuan(basic + account)), eligible=query.contribution_months >= minimum,
        parameters={"computation_base": str(to_yuan(base)), "basic_rate": str(rate),
                    "contribution_years": str(Decimal(query.contribution_months) / 12),
                    "retirement_age": _age_label(age), "payout_months": str(months),
                    "payout_months_fraction": fraction, "min_contribution_months": minimum})
