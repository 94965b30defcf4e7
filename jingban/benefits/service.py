"""Benefit services. Estimates (待遇测算) read policy only and change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from jingban.benefits import rules
from jingban.benefits.schemas import PensionEstimate, PensionQuery, RetirementEstimate
from jingban.cases.models import Notification
from jingban.cases.service import notify
from jingban.core import audit, clock, ids, policy
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import InvalidInput
from jingban.core.money import parse_yuan, to_yuan
from jingban.records.models import Contribution, DeemedService
from jingban.registration.models import Employer, Enrollment, Person

audit.ACT_NAMES["benefits.prereview_notices"] = "退休预审通知"

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


# --- pre-retirement review (D§18: 12 months ahead, notify person and employer) ---------------

PENSION_SCHEMES = ("pension_enterprise", "pension_institution")


def _cohorts(target: tuple[int, int], schedules: dict) -> dict[str, list[tuple[int, int]]]:
    """Birth months, per category, whose statutory retirement month is ``target``."""
    found: dict[str, list[tuple[int, int]]] = {}
    for category, schedule in schedules.items():
        ages = range(schedule["base_months"], schedule["base_months"] + schedule["cap"] + 1)
        births = {rules.add_months(*target, -age) for age in ages}
        found[category] = sorted(b for b in births
                                 if (rules.retirement(*b, schedule).year,
                                     rules.retirement(*b, schedule).month) == target)
    return found


def _born_in(months: list[tuple[int, int]]):
    spans = [and_(Person.birth_date >= dt.date(y, m, 1),
                  Person.birth_date < dt.date(*rules.add_months(y, m, 1), 1)) for y, m in months]
    return or_(*spans) if spans else false()


def prereview(db: Session, actor: Actor, month: str | None = None) -> dict:
    """Everyone insured in a pension scheme who reaches the statutory age in ``month``
    (default: 12 months from now), with what their file still lacks (D§18)."""
    require(actor, "benefits.read")
    today, region = clock.today(), db.info["region"]
    target = _target(month, today)
    schedules = policy.value("retirement.schedule", region, today)
    cohorts = _cohorts(target, schedules)
    unknown = sorted(set(cohorts["female_55"]) | set(cohorts["female_50"]))
    who = or_(*[and_(func.coalesce(Person.retirement_category,
                                   case((Person.sex == "M", "male"), else_="")) == cat,
                     _born_in(births)) for cat, births in cohorts.items()],
              and_(Person.retirement_category.is_(None), Person.sex == "F", _born_in(unknown)))
    rows = db.execute(
        select(Person, Employer).join(Enrollment, Enrollment.person_id == Person.id)
        .outerjoin(Employer, Employer.id == Enrollment.employer_id)
        .where(Person.status == "active", Enrollment.status == "active",
               Enrollment.insurance.in_(PENSION_SCHEMES), who)
        .order_by(Person.birth_date, Person.id)).all()
    minimum = rules.min_contribution_months(
        target[0], policy.value("pension.min_contribution_months", region, today))
    months = _contribution_months(db, [p.id for p, _ in rows])
    return {"month": f"{target[0]:04d}-{target[1]:02d}", "min_contribution_months": minimum,
            "persons": [_prereview_row(p, e, months.get(p.id, 0), minimum) for p, e in rows]}


def _target(month: str | None, today: dt.date) -> tuple[int, int]:
    if month is None:
        return rules.add_months(today.year, today.month, 12)
    try:
        year, mon = (int(x) for x in month.split("-"))
        dt.date(year, mon, 1)
    except ValueError:
        raise InvalidInput("prereview.month", "月份格式应为 YYYY-MM", "month") from None
    return year, mon


def _contribution_months(db: Session, person_ids: list[int]) -> dict[int, int]:
    """Paid months (a month paid twice counts once, reversed rows excluded) plus deemed months."""
    if not person_ids:
        return {}
    reversal = aliased(Contribution)
    paid = dict(db.execute(
        select(Contribution.person_id, func.count(func.distinct(Contribution.period)))
        .where(Contribution.person_id.in_(person_ids), Contribution.kind == "posted",
               Contribution.insurance.in_(PENSION_SCHEMES),
               ~exists().where(reversal.reverses_id == Contribution.id))
        .group_by(Contribution.person_id)).all())
    deemed = dict(db.execute(
        select(DeemedService.person_id, func.sum(DeemedService.months))
        .where(DeemedService.person_id.in_(person_ids),
               DeemedService.insurance.in_(PENSION_SCHEMES))
        .group_by(DeemedService.person_id)).all())
    return {pid: int(paid.get(pid, 0)) + int(deemed.get(pid, 0) or 0) for pid in person_ids}


def _prereview_row(person: Person, employer: Employer | None, months: int,
                   minimum: int) -> dict:
    missing = []
    if person.retirement_category is None and person.sex == "F":
        missing.append("退休人员类别（原55岁女干部/原50岁女工人）未登记，须据档案确认")
    if months < minimum:
        missing.append(f"缴费年限不足：已缴{months}个月（含视同），最低须{minimum}个月")
    if not person.phone:
        missing.append("无联系电话")
    return {"ssn": person.ssn, "name": person.name, "birth_date": person.birth_date.isoformat(),
            "retirement_category": person.retirement_category,
            "contribution_months": months, "employer_uscc": employer.uscc if employer else None,
            "employer_name": employer.name if employer else None, "missing": missing}


@transactional
def send_prereview_notices(db: Session, actor: Actor, month: str | None = None) -> int:
    """Tell each person on the list and his employer (D§18); once per person and month."""
    require(actor, "benefits.notify")
    listing = prereview(db, actor, month)
    kind = f"prereview:{listing['month']}"
    done = set(db.execute(select(Notification.recipient).where(Notification.kind == kind))
               .scalars())
    sent = 0
    for row in listing["persons"]:
        if row["ssn"] in done:
            continue
        person = db.execute(select(Person).where(Person.ssn == row["ssn"])).scalar_one()
        lacking = "；".join(row["missing"]) or "无"
        notify(db, row["ssn"], kind, f"您将于{listing['month']}达到法定退休年龄，经办机构已对您的参保档案"
                                     f"进行预审。需补充的事项：{lacking}。", phone=person.phone)
        if row["employer_uscc"]:
            notify(db, row["employer_uscc"], kind, f"贵单位职工{row['name']}将于{listing['month']}"
                                                   f"达到法定退休年龄，请协助完善其档案材料。")
        sent += 1
    audit.record(db, actor, "benefits.prereview_notices", f"prereview:{listing['month']}",
                 after={"notified": sent, "listed": len(listing["persons"])})
    return sent
