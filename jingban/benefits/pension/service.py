"""Benefit services. Estimates (待遇测算) read policy only and change nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, AwardEvent, Payment, PayrollRun
from jingban.benefits.pension import rules
from jingban.benefits.pension.schemas import (
    DeterminationLine,
    DeterminationPreview,
    PensionClaim,
    PensionEstimate,
    PensionQuery,
    Redetermination,
    RetirementEstimate,
)
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry, Instalment, Refund
from jingban.core import audit, clock, ids, policy
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, PolicyError
from jingban.core.money import parse_yuan, round_fen, to_yuan
from jingban.notices.models import Notification
from jingban.notices.service import notify
from jingban.records import service as records
from jingban.records.models import AccountEntry, Contribution
from jingban.records.service import PAYOUT
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.service import find_person, person_subject
from jingban.transfers.models import Transfer

audit.ACT_NAMES["benefits.prereview_notices"] = "退休预审通知"

RETIREMENT_BASIS = "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定；" \
                   "《国务院关于渐进式延迟法定退休年龄的办法》"


def _age_label(months: int) -> str:
    years, extra = divmod(months, common_rules.MONTHS)
    return f"{years}岁" + (f"{extra}个月" if extra else "")


def estimate_retirement(db: Session, actor: Actor, birth_date: dt.date,
                        category: str) -> RetirementEstimate:
    """Statutory retirement age and month, minimum contribution months and the flexible window."""
    _check_birth(birth_date)
    region, today = db.info["region"], clock.today()
    schedule = policy.value("retirement.schedule", region, today)[category]
    result = rules.retirement(birth_date.year, birth_date.month, schedule)
    minimum = rules.min_contribution_months(
        result.year, policy.value("pension.min_contribution_months", region, today))
    flexible = policy.value("retirement.flexible_months", region, today)
    earliest = max(result.age_months - flexible, schedule["base_months"])
    early = common_rules.add_months(birth_date.year, birth_date.month, earliest)
    late = common_rules.add_months(birth_date.year, birth_date.month, result.age_months + flexible)
    return RetirementEstimate(
        category=category, retirement_age_months=result.age_months,
        retirement_age=_age_label(result.age_months), delay_months=result.delay_months,
        retirement_month=result.label, min_contribution_months=minimum,
        earliest_flexible_month=f"{early[0]:04d}-{early[1]:02d}",
        latest_flexible_month=f"{late[0]:04d}-{late[1]:02d}", basis=RETIREMENT_BASIS)


def _check_birth(birth_date: dt.date) -> None:
    if birth_date > clock.today():
        raise InvalidInput("estimate.birth_date", "出生日期不能晚于今天", "birth_date")
    if birth_date < rules.EARLIEST_BIRTH:
        raise InvalidInput("estimate.birth_date",
                           f"出生日期不能早于{rules.EARLIEST_BIRTH:%Y年%m月%d日}", "birth_date")


def _estimate_age(db: Session, query: PensionQuery, on: dt.date) -> int:
    """The retirement age the payout months follow: as given, or the statutory age of the
    birth date and category; one of the two is required (the payout months depend on it)."""
    if query.retirement_age_months is not None:
        return query.retirement_age_months
    if query.birth_date is None or query.category is None:
        raise InvalidInput("estimate.retirement_age",
                           "请填写退休年龄（月），或同时填写出生日期和人员类别以按法定退休年龄测算",
                           "retirement_age_months")
    _check_birth(query.birth_date)
    schedule = policy.value("retirement.schedule", db.info["region"], on)[query.category]
    return rules.retirement(query.birth_date.year, query.birth_date.month, schedule).age_months


def estimate_pension(db: Session, actor: Actor, query: PensionQuery) -> PensionEstimate:
    """Basic part + account part for the given inputs, with every parameter it used."""
    region = ids.validate_region(query.region)
    year, month = (int(p) for p in query.retirement_month.split("-"))
    on = dt.date(year, month, 1)
    base = policy.value("pension.computation_base", region, on)
    rate = Decimal(policy.value("pension.basic_rate", region, on))
    age = _estimate_age(db, query, on)
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

PENSION_SCHEMES = common_rules.PENSION_SCHEMES


def _cohorts(target: tuple[int, int], schedules: dict) -> dict[str, list[tuple[int, int]]]:
    """Birth months, per category, whose statutory retirement month is ``target``."""
    found: dict[str, list[tuple[int, int]]] = {}
    for category, schedule in schedules.items():
        ages = range(schedule["base_months"], schedule["base_months"] + schedule["cap"] + 1)
        births = {common_rules.add_months(*target, -age) for age in ages}
        found[category] = sorted(b for b in births
                                 if (rules.retirement(*b, schedule).year,
                                     rules.retirement(*b, schedule).month) == target)
    return found


def _born_in(months: list[tuple[int, int]]):
    spans = [and_(Person.birth_date >= dt.date(y, m, 1),
                  Person.birth_date < dt.date(*common_rules.add_months(y, m, 1), 1)) for y, m in months]
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
    months = records.contribution_months(db, [p.id for p, _ in rows], PENSION_SCHEMES)
    return {"month": f"{target[0]:04d}-{target[1]:02d}", "min_contribution_months": minimum,
            "persons": [_prereview_row(p, e, months.get(p.id, 0), minimum) for p, e in rows]}


def _target(month: str | None, today: dt.date) -> tuple[int, int]:
    """The month asked for, between the first month anyone born since ``EARLIEST_BIRTH`` can
    retire (a past month lists who reached the age then and may still claim) and the furthest
    month a cohort is known."""
    if month is None:
        return common_rules.add_months(today.year, today.month, rules.PREREVIEW_LEAD_MONTHS)
    try:
        year, mon = (int(x) for x in month.split("-"))
        dt.date(year, mon, 1)
    except ValueError:
        raise InvalidInput("prereview.month", "月份格式应为 YYYY-MM", "month") from None
    first = rules.PREREVIEW_FIRST_MONTH
    last = common_rules.add_months(today.year, today.month, rules.PREREVIEW_MAX_MONTHS)
    if not first <= (year, mon) <= last:
        raise InvalidInput("prereview.month", f"预审月份应在{first[0]}年{first[1]}月至"
                                              f"{last[0]}年{last[1]}月之间", "month")
    return year, mon


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
    today = clock.today()
    target = _target(month, today)
    earliest = common_rules.add_months(today.year, today.month, rules.PREREVIEW_LEAD_MONTHS)
    if target < earliest:
        raise InvalidInput("prereview.notice_month",
                           f"预审通知只发给距法定退休年龄{rules.PREREVIEW_LEAD_MONTHS}个月及以上的人员，"
                           f"月份不能早于{earliest[0]}年{earliest[1]}月",
                           "month")
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


# --- claim, determination, re-determination (R§18, D§18) ---------------------------------------

KIND_NAMES = {"pension_enterprise": "企业职工基本养老金", "pension_institution": "机关事业单位基本养老金",
              "pension_resident": "城乡居民基本养老金", "survivor": "遗属待遇",
              "survivor_unemployment": "遗属待遇（失业保险基金支付）", "unemployment": "失业保险金"}
PENSION_BASIS = ("《社会保险经办条例》第十八条（待遇核定、按月发放）；"
                 "国发〔2005〕38号《国务院关于完善企业职工基本养老保险制度的决定》第六条"
                 "（基础养老金、个人账户养老金）；全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定"
                 "（2024年9月13日）及其所附《国务院关于渐进式延迟法定退休年龄的办法》")
FRACTIONS = {"interpolate": "非整周岁按月插值", "floor": "非整周岁按已满周岁", "whole": "整周岁"}
PENSION_TRANSFERS = ("pension_enterprise", "pension_cross")
audit.ACT_NAMES.update({"benefits.determine_pension": "核定基本养老金",
                        "benefits.redetermine_pension": "重新核定基本养老金"})


@dataclass
class Determination:
    """Everything a determination rests on, and what it comes to (amounts in fen)."""

    person: Person
    problems: list[str]
    checks: list[dict]
    lines: list[dict]
    inputs: dict
    basic: int = 0
    account: int = 0

    @property
    def total(self) -> int:
        return self.basic + self.account




def paid_indices(db: Session, person_id: int, region: str) -> list[Decimal]:
    """One index per month paid: that month's bases ÷ the wage the base limits used then."""
    reversal = aliased(Contribution)
    rows = db.execute(
        select(Contribution.period, func.sum(Contribution.base))
        .where(Contribution.person_id == person_id, Contribution.kind == "posted",
               Contribution.insurance.in_(PENSION_SCHEMES),
               ~exists().where(reversal.reverses_id == Contribution.id))
        .group_by(Contribution.period).order_by(Contribution.period)).all()
    indices = []
    for period, base in rows:
        wage = policy.value("contribution.average_monthly_wage", region,
                            dt.date(period // 100, period % 100, 1))
        indices.append(Decimal(int(base or 0)) / Decimal(wage))
    return indices


def _other_award(db: Session, person: Person, replacing: int | None = None) -> str | None:
    stmt = select(Award).where(Award.person_id == person.id, Award.kind.in_(common_rules.PENSION_KINDS),
                               Award.status.in_(("active", "suspended")))
    if replacing is not None:
        stmt = stmt.where(Award.id != replacing)
    found = db.execute(stmt).scalars().first()
    return f"{KIND_NAMES.get(found.kind, found.kind)}（待遇编号{found.id}）" if found else None


def receives_pension(db: Session, person_id: int) -> bool:
    """Whether the person has a basic pension award in force (active or suspended)."""
    return db.execute(select(Award.id).where(
        Award.person_id == person_id, Award.kind.like("pension%"),
        Award.status.in_(["active", "suspended"]))).first() is not None


def _open_transfer(db: Session, person: Person) -> str | None:
    """An unfinished pension transfer of this person (years and account still moving)."""
    found = db.execute(select(Transfer.ref).where(
        or_(Transfer.person_id == person.id, Transfer.ssn == person.ssn),
        Transfer.kind.in_(PENSION_TRANSFERS), Transfer.status == "open")).scalars().first()
    return f"养老保险关系转移接续（编号{found}）尚未办结" if found else None


def _line(label: str, value: str, note: str = "") -> dict:
    return {"label": label, "value": value, "note": note}


def determination(db: Session, person: Person, chosen_age: int | None = None, *,
                  replacing: int | None = None) -> Determination:
    """Eligibility (age, years, no other pension, transfers) and the amount, as of today."""
    region, today = db.info["region"], clock.today()
    category = person.retirement_category or ("male" if person.sex == "M" else None)
    checks: list[dict] = []
    if category is None:
        raise InvalidInput("benefits.category", "退休人员类别（原55岁女干部/原50岁女工人）未登记，"
                           "请先据档案办理个人信息变更登记", "ssn")
    schedule = policy.value("retirement.schedule", region, today)[category]
    birth = person.birth_date
    statutory = rules.retirement(birth.year, birth.month, schedule)
    age = chosen_age or statutory.age_months
    retire = common_rules.add_months(birth.year, birth.month, age)
    retire_on = dt.date(*retire, 1)
    minimum = rules.min_contribution_months(
        statutory.year, policy.value("pension.min_contribution_months", region, today))
    indices = paid_indices(db, person.id, region)
    deemed = (records.contribution_months(db, [person.id], PENSION_SCHEMES)[person.id]
              - records.paid_months(db, person.id, PENSION_SCHEMES))
    months = len(indices) + deemed
    flexible = None
    if age != statutory.age_months:
        flexible = rules.flexible_problem(
            statutory.age_months, schedule["base_months"], age, months, minimum,
            policy.value("retirement.flexible_months", region, today))
    other = _other_award(db, person, replacing)
    transfer = _open_transfer(db, person)
    reached = (today.year, today.month) >= retire
    problems = rules.claim_problems(
        reached=reached, retirement_label=f"{retire[0]:04d}-{retire[1]:02d}", months=months,
        minimum=minimum, flexible=flexible, other_award=other, transfer=transfer,
        deceased=person.status != "active" or person.death_date is not None)
    checks = [
        _line("退休年龄", "符合" if reached and not flexible else "不符合",
              f"法定退休年龄{_age_label(statutory.age_months)}（{statutory.label}）"
              + (f"；弹性选择{_age_label(age)}" if age != statutory.age_months else "")),
        _line("缴费年限", "符合" if months >= minimum else "不符合",
              f"累计{months}个月（含视同{deemed}个月），最低{minimum}个月"),
        _line("重复领取", "无" if other is None else "有", other or "未领取其他基本养老金"),
        _line("关系转移接续", "无未办结" if transfer is None else "有未办结", transfer or ""),
    ]
    found = Determination(person, problems, checks, [], {})
    try:
        _compute(db, found, region, retire_on, age, indices, deemed, minimum, category)
    except PolicyError as exc:
        if not problems:
            raise
        found.lines = [_line("待遇测算", "未计算", f"不符合领取条件，且{exc.message}")]
    return found


def _compute(db: Session, found: Determination, region: str, retire_on: dt.date, age: int,
             indices: list[Decimal], deemed: int, minimum: int, category: str) -> None:
    """Basic part + account part (国发〔2005〕38号 第六条), every step written out."""
    base = policy.value("pension.computation_base", region, retire_on)
    rate = Decimal(policy.value("pension.basic_rate", region, retire_on))
    deemed_index = Decimal(policy.value("pension.deemed_index", region, retire_on))
    table = policy.value("pension.payout_months", region, retire_on)
    # Only an age with months beyond full years (after the 2025 reform) needs the choice.
    fraction = (policy.value("pension.payout_months_fraction", region, retire_on)
                if age % common_rules.MONTHS else "whole")
    months = len(indices) + deemed
    index = rules.average_index(indices, deemed, deemed_index)
    # The account at retirement: the monthly payouts since (a re-determination) do not count.
    balance = int(db.execute(select(func.coalesce(func.sum(AccountEntry.amount), 0))
                             .where(AccountEntry.person_id == found.person.id,
                                    AccountEntry.scheme == "pension_enterprise",
                                    AccountEntry.kind != PAYOUT)).scalar())
    payout = rules.payout_months(age, table, fraction)
    found.basic = rules.basic_pension(base, index, months, rate)
    found.account = rules.account_pension(balance, payout)
    years = (Decimal(months) / common_rules.MONTHS).quantize(rules.INDEX_PLACES)
    indexed = round_fen(Decimal(base) * index)
    paid_sum = sum(indices, Decimal(0)).quantize(rules.INDEX_PLACES)
    found.lines = [
        _line("退休人员类别", rules.CATEGORIES[category]),
        _line("退休年龄", _age_label(age), f"退休时间 {retire_on:%Y-%m}"),
        _line("实际缴费月数", f"{len(indices)}个月"),
        _line("视同缴费月数", f"{deemed}个月", "按人事档案认定"),
        _line("累计缴费年限", f"{months}个月（{years}年）", f"最低须{minimum}个月"),
        _line("本人平均缴费指数", str(index),
              f"（各月缴费指数之和 {paid_sum} + 视同 {deemed}个月 × {deemed_index}）÷ {months}个月"),
        _line("计发基数", f"{to_yuan(base)}元", "退休时本省公布的上年度月平均工资"),
        _line("指数化月平均缴费工资", f"{to_yuan(indexed)}元", f"计发基数 × 平均缴费指数 {index}"),
        _line("基础养老金", f"{to_yuan(found.basic)}元",
              f"（{to_yuan(base)} + {to_yuan(indexed)}）÷ 2 × {years}年 × {rate * 100}%"),
        _line("个人账户储存额", f"{to_yuan(balance)}元"),
        _line("计发月数", str(payout.normalize() if payout == payout.to_integral() else
                              payout.quantize(rules.INDEX_PLACES)),
              f"按退休年龄{_age_label(age)}（{FRACTIONS[fraction]}）"),
        _line("个人账户养老金", f"{to_yuan(found.account)}元", f"{to_yuan(balance)} ÷ 计发月数"),
        _line("月基本养老金", f"{to_yuan(found.total)}元",
              f"基础养老金 {to_yuan(found.basic)} + 个人账户养老金 {to_yuan(found.account)}"),
    ]
    found.inputs = {"category": category, "age_months": age, "retire_on": retire_on.isoformat(),
                    "paid_months": len(indices), "deemed_months": deemed, "months": months,
                    "average_index": str(index), "computation_base": base, "basic_rate": str(rate),
                    "deemed_index": str(deemed_index), "account_balance": balance,
                    "payout_months": str(payout), "payout_months_fraction": fraction}


def _start_period() -> int:
    """Paid from the month after the determination (D§18: 核定手续办理完毕的次月起发放)."""
    today = clock.today()
    return common_rules.next_period(common_rules.period_of(today.year, today.month))


def preview_pension(db: Session, actor: Actor, ssn: str,
                    retirement_age_months: int | None = None) -> DeterminationPreview:
    """What a determination made today would say: checks, amounts, breakdown (no writes)."""
    require(actor, "benefits.read")
    person = find_person(db, ssn)
    audit.log_access(db, actor, person_subject(person), "pension_preview")
    found = determination(db, person, retirement_age_months)
    start = _start_period()
    return DeterminationPreview(
        ssn=person.ssn, name=person.name, eligible=not found.problems, problems=found.problems,
        checks=[DeterminationLine(**c) for c in found.checks], basic=str(to_yuan(found.basic)),
        account=str(to_yuan(found.account)), total=str(to_yuan(found.total)), start_period=start,
        lines=[DeterminationLine(**x) for x in found.lines], basis=PENSION_BASIS)


def _require_case(actor: Actor) -> None:
    """A determination is made only by final approval of its case (channel "case"); intake's
    dry run runs with the clerk."""
    require(actor, "cases.act" if actor.channel == "case" else "cases.intake")


def _new_award(db: Session, actor: Actor, found: Determination, bank_account: str,
               replaces: Award | None = None, start: int | None = None) -> Award:
    start = start or _start_period()
    lines = [*found.lines, _line("起发月份", _period_label(start),
                                 "原待遇已发月份之后起按新标准发放" if replaces else "核定次月起发")]
    award = Award(person_id=found.person.id, kind="pension_enterprise",
                  case_id=actor.case_id, status="active",
                  start_period=start, monthly_amount=found.total,
                  basic_amount=found.basic, account_amount=found.account,
                  breakdown=json.dumps({"lines": lines, "checks": found.checks,
                                        "inputs": found.inputs}, ensure_ascii=False),
                  basis=PENSION_BASIS, payee_name=found.person.name,
                  bank_account=bank_account, decided_on=clock.today(),
                  decided_by=actor.username, replaces_id=replaces.id if replaces else None)
    db.add(award)
    db.flush()
    return award


def _period_label(period: int) -> str:
    return f"{period // 100:04d}-{period % 100:02d}"


# Who is told of a new pension award, in its transaction (db, actor, award): a pension ends an
# unemployment benefit (《社会保险法》第五十一条; registered by jingban.wiring).
AwardedListener = Callable[[Session, Actor, Award], None]
_AWARDED: list[AwardedListener] = []


def on_awarded(listener: AwardedListener) -> None:
    """Call ``listener`` after every pension determination (idempotent)."""
    if listener not in _AWARDED:
        _AWARDED.append(listener)


@transactional
def determine_pension(db: Session, actor: Actor, ssn: str, data: PensionClaim) -> Award:
    """核定基本养老金 on final approval of BEN-PENSION: refused with every reason at once."""
    _require_case(actor)
    person = find_person(db, ssn)
    found = determination(db, person, data.retirement_age_months)
    if found.problems:
        raise InvalidInput("benefits.not_eligible", "不符合按月领取基本养老金的条件：" +
                           "；".join(found.problems), "ssn")
    award = _new_award(db, actor, found, data.bank_account)
    _tell_award(db, person, award, "核定")
    for listener in _AWARDED:
        listener(db, actor, award)
    audit.record(db, actor, "benefits.determine_pension", person_subject(person),
                 after=snapshot(award))
    return award


def _tell_award(db: Session, person: Person, award: Award, what: str) -> None:
    """The decision states the amount, the start month and the legal basis (SPEC §6)."""
    notify(db, person.ssn, "pension_award",
           f"您的基本养老金已{what}：每月{to_yuan(award.monthly_amount)}元（基础养老金"
           f"{to_yuan(award.basic_amount)}元，个人账户养老金{to_yuan(award.account_amount)}元），"
           f"自{_period_label(award.start_period)}起发放。依据：{award.basis}。计发明细可在“我的养老金”查看。",
           phone=person.phone)


@transactional
def redetermine_pension(db: Session, actor: Actor, ssn: str, data: Redetermination) -> Award:
    """重新核定 after an objection with evidence (D§18): a new award replaces the old one from
    the month after; months already paid stay as paid."""
    _require_case(actor)
    person = find_person(db, ssn)
    old = db.execute(select(Award).where(
        Award.person_id == person.id, Award.kind == "pension_enterprise",
        Award.status.in_(("active", "suspended"))).with_for_update()).scalar()
    if old is None:
        raise Conflict("benefits.no_award", "该参保人没有正在发放的基本养老金，无需重新核定", "ssn")
    if old.status != "active":
        raise Conflict("benefits.award_suspended", "待遇暂停发放期间不能重新核定，请先恢复发放", "ssn")
    inputs = json.loads(old.breakdown or "{}").get("inputs", {})
    found = determination(db, person, inputs.get("age_months"), replacing=old.id)
    if found.problems:
        raise InvalidInput("benefits.not_eligible", "重新核定后不符合领取条件：" +
                           "；".join(found.problems), "ssn")
    before = snapshot(old)
    paid, last_paid = db.execute(select(func.count(), func.max(Payment.period))
                                 .where(Payment.award_id == old.id)).one()
    # The corrected amount applies from the first month not yet paid: paid months stay as
    # paid, and no month is paid under both awards or left unpaid between them.
    start = common_rules.next_period(last_paid) if last_paid else old.start_period
    old.status, old.last_period = "replaced", common_rules.previous_period(start)
    old.stop_reason = f"重新核定：{data.reason}"[:200]
    db.flush()
    differences = _differences(db, old, found.total)
    more = sum(d for _, d in differences if d > 0)
    less = -sum(d for _, d in differences if d < 0)
    found.lines.append(_line("原核定月待遇", f"{to_yuan(old.monthly_amount)}元",
                             f"已按原标准发放{paid}个月；按新标准补发差额{to_yuan(more)}元，"
                             f"多发差额{to_yuan(less)}元责令退回"))
    award = _new_award(db, actor, found, old.bank_account, old, start)
    _settle(db, actor, person, award, differences)
    _tell_award(db, person, award, "重新核定")
    audit.record(db, actor, "benefits.redetermine_pension", person_subject(person),
                 before=before, after={**snapshot(award), "back_paid": more, "ordered_back": less},
                 reason=data.reason)
    return award


def _differences(db: Session, old: Award, monthly: int) -> list[tuple[int, int]]:
    """Per month already paid under the award and those it replaced: the new monthly amount
    less everything paid for that month (regular, back pay, earlier adjustments), fen."""
    chain, current = [], old
    while current is not None:
        chain.append(current.id)
        current = db.get(Award, current.replaces_id) if current.replaces_id else None
    paid = db.execute(select(Payment.period, func.sum(Payment.gross))
                      .where(Payment.award_id.in_(chain)).group_by(Payment.period)
                      .order_by(Payment.period)).all()
    return [(period, monthly - int(gross)) for period, gross in paid if monthly != int(gross)]


def _settle(db: Session, actor: Actor, person: Person, award: Award,
            differences: list[tuple[int, int]]) -> None:
    """An increase is back-paid once per month as an ``adjustment`` payment of the new award
    (the award + month key makes a second impossible); a decrease is ordered back (R§46) and
    recovered like any overpayment, by deductions from the new award among other ways."""
    today = clock.today()
    db.add_all(Payment(run_id=None, award_id=award.id, person_id=person.id, period=period,
                       kind="adjustment", gross=diff, deduction=0, net=diff,
                       bank_account=award.bank_account, paid_on=today)
               for period, diff in differences if diff > 0)
    less = [(period, -diff) for period, diff in differences if diff < 0]
    if less:
        recovery.order_difference(db, actor, person, award, [p for p, _ in less],
                                  sum(d for _, d in less))
    db.flush()


# --- a person's pension: awards, payments, debts (staff, or the person himself) ------------------

PAYMENT_KINDS = {"regular": "按月发放", "back_pay": "补发", "adjustment": "重新核定补差"}
OWN_PAGE_KINDS = ("unemployment", "training_subsidy")  # shown under 失业保险金 instead

def breakdown_of(award: Award) -> dict:
    data = json.loads(award.breakdown or "{}")
    return {"lines": data.get("lines", []), "checks": data.get("checks", [])}


def pension_record(db: Session, actor: Actor, ssn: str) -> dict:
    """Awards with their breakdown, payments and refunds newest first — those not yet sent to
    the bank (run_id NULL) are 待发放 — and every debt with its ledger and instalments (R§46).
    Staff reads are logged (查询留痕)."""
    person = find_person(db, ssn)
    subject = person_subject(person)
    if actor.subject != subject:
        require(actor, "benefits.read")
        audit.log_access(db, actor, subject, "pension")
    # The unemployment benefits have a page of their own (benefits.unemployment).
    awards = list(db.execute(select(Award).where(Award.person_id == person.id,
                                                 Award.kind.notin_(OWN_PAGE_KINDS))
                             .order_by(Award.id.desc())).scalars())
    payments = list(db.execute(select(Payment).join(Award, Award.id == Payment.award_id)
                               .where(Payment.person_id == person.id,
                                      Award.kind.notin_(OWN_PAGE_KINDS))
                               .order_by(Payment.period.desc(), Payment.id.desc())).scalars())
    debts = []
    for debt in db.execute(select(Debt).where(Debt.person_id == person.id)
                           .order_by(Debt.id)).scalars():
        entries = list(db.execute(select(DebtEntry).where(DebtEntry.debt_id == debt.id)
                                  .order_by(DebtEntry.entry_on, DebtEntry.id)).scalars())
        instalments = list(db.execute(select(Instalment).where(Instalment.debt_id == debt.id)
                                      .order_by(Instalment.seq)).scalars())
        debts.append({"debt": debt, "entries": entries, "instalments": instalments,
                      "balance": sum(e.amount for e in entries)})
    events = list(db.execute(select(AwardEvent).join(Award, Award.id == AwardEvent.award_id)
                             .where(Award.person_id == person.id).order_by(AwardEvent.id)).scalars())
    refunds = list(db.execute(select(Refund).where(Refund.person_id == person.id)
                              .order_by(Refund.id.desc())).scalars())
    runs = dict(db.execute(select(PayrollRun.id, PayrollRun.period).where(PayrollRun.id.in_(
        {p.run_id for p in payments if p.run_id} | {r.run_id for r in refunds if r.run_id}))).all())
    pending = [p.net for p in payments if p.run_id is None] + \
        [r.amount for r in refunds if r.run_id is None]
    return {"person": person, "awards": [(a, breakdown_of(a)) for a in awards],
            "payments": payments, "refunds": refunds, "runs": runs, "pending": sum(pending),
            "pending_count": len(pending), "debts": debts, "events": events, "kinds": KIND_NAMES}
