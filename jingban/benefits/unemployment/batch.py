"""Unemployment batch work: the employee-medical premium the unemployment fund pays while a
person receives (代缴职工基本医疗保险费, 《社会保险法》第四十八条; 人社部发〔2011〕77号).

Run by the monthly payroll (hooks in ``jingban.wiring``). For each unemployment month a run
pays (regular or back pay) the person's record gets one ``medical_employee`` contribution row
for that month — the fund as payer on the employer's side, nothing personal — keyed
``UM<run period>:<award>:<month>`` so a rerun of a range writes none twice. When the run
completes, the month's premiums are booked once to both funds: an expenditure of the
unemployment fund (社会保险待遇支出, from its fiscal account through its expenditure account) and
contribution income of the employee-medical fund (its income account).

Once a year, the job-stabilisation refunds (稳岗返还) to employers that laid nobody off.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Integer, String, cast, exists, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.unemployment import rules
from jingban.benefits.unemployment.models import StabilisationRefund
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import transactional
from jingban.core.errors import InvalidInput
from jingban.core.excel import workbook
from jingban.core.money import format_yuan
from jingban.funds.ledger import service as ledger
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment

PREFIX = "UM"  # record_id of a premium row: UM<run period>:<award id>:<month>
SOURCE = "unemployment_medical"


def premium(db: Session, period: int) -> tuple[int, int]:
    """(base, premium) in fen for a month (the parameters in force on its first day)."""
    day = dt.date(period // 100, period % 100, 1)
    base = agency.param(db, "unemployment.medical_premium_base", day)
    rate = Decimal(agency.param(db, "unemployment.medical_premium_rate", day))
    return base, rules.medical_premium(base, rate)


def _months_paid(db: Session, run: PayrollRun, low: int, high: int) -> list[int]:
    return list(db.execute(
        select(Payment.period).distinct().join(Award, Award.id == Payment.award_id)
        .where(Payment.run_id == run.id, Payment.person_id >= low, Payment.person_id < high,
               Award.kind == rules.KIND, Payment.kind.in_(("regular", "back_pay")))).scalars())


COLUMNS = ["record_id", "person_id", "insurance", "period", "base", "employer_amount",
           "personal_amount", "account_amount", "subsidy_amount", "paid_on", "kind"]


def write_premiums(db: Session, actor: Actor, run: PayrollRun, low: int, high: int) -> int:
    """The premium rows of the range's unemployment months (INSERT … SELECT per month paid)."""
    upsert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[db.get_bind().dialect.name]
    written = 0
    for period in _months_paid(db, run, low, high):
        base, amount = premium(db, period)
        key = (literal(f"{PREFIX}{run.period}:", String) + cast(Payment.award_id, String)
               + literal(f":{period}", String))
        rows = (select(key, Payment.person_id, literal(rules.MEDICAL, String),
                       literal(period, Integer), literal(base, BigInteger),
                       literal(amount, BigInteger), literal(0, BigInteger), literal(0, BigInteger),
                       literal(0, BigInteger), Payment.paid_on, literal("posted", String))
                .join(Award, Award.id == Payment.award_id)
                .where(Payment.run_id == run.id, Payment.period == period,
                       Payment.person_id >= low, Payment.person_id < high,
                       Award.kind == rules.KIND, Payment.kind.in_(("regular", "back_pay"))))
        statement = upsert(Contribution).from_select(COLUMNS, rows)\
            .on_conflict_do_nothing(index_elements=["record_id"]).returning(Contribution.id)
        written += len(db.execute(statement).all())
    return written


def book_premiums(db: Session, actor: Actor, run: PayrollRun) -> None:
    """The run's premiums booked to both funds, once (idempotent on their sources)."""
    count, total = db.execute(
        select(func.count(), func.coalesce(func.sum(Contribution.employer_amount), 0))
        .where(Contribution.record_id.like(f"{PREFIX}{run.period}:%"))).one()
    if not total:
        return
    memo = (f"{run.period // 100}年{run.period % 100:02d}月失业保险基金代缴领取失业保险金人员"
            f"职工基本医疗保险费 {count} 人次，{format_yuan(int(total))} 元")
    ledger.book_payroll(db, actor, rules.INSURANCE, int(total), 0,
                        f"{SOURCE}:{run.id}:{rules.INSURANCE}", memo)
    ledger.book_contribution(db, actor, rules.MEDICAL, int(total),
                             f"{SOURCE}:{run.id}:{rules.MEDICAL}", memo)


# --- 稳岗返还 (人社部发〔2024〕40号): the yearly run for employers that laid nobody off ----------------

STABILISATION_SOURCE = "stabilisation"
audit.ACT_NAMES["benefits.stabilisation_refunds"] = "核定失业保险稳岗返还"


def _contributions(db: Session, year: int):
    """Employer → (staff, contributions of employer and staff) of the year, reversals excluded."""
    reversal = aliased(Contribution)
    return db.execute(
        select(Contribution.employer_id, func.count(Contribution.person_id.distinct()),
               func.sum(Contribution.employer_amount + Contribution.personal_amount))
        .where(Contribution.insurance == rules.INSURANCE, Contribution.kind == "posted",
               Contribution.employer_id.is_not(None),
               Contribution.period.between(year * 100 + 1, year * 100 + 12),
               ~exists().where(reversal.reverses_id == Contribution.id))
        .group_by(Contribution.employer_id)).all()


def _laid_off(db: Session, year: int) -> set[int]:
    """Employers that ended someone's employment in the year by a lay-off (rules.LAYOFFS)."""
    return set(db.execute(select(Enrollment.employer_id).distinct().where(
        Enrollment.insurance == rules.INSURANCE, Enrollment.separation.in_(rules.LAYOFFS),
        Enrollment.end_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))).scalars())


def check_year(year: int, today: dt.date) -> int:
    if not 2000 <= year < today.year:
        raise InvalidInput("stabilisation.year",
                           f"稳岗返还按已结束的缴费年度核定，年度应在2000年至{today.year - 1}年之间", "year")
    return year


@transactional
def stabilisation_refunds(db: Session, actor: Actor, year: int) -> list[StabilisationRefund]:
    """Decide the refunds resting on ``year``'s contributions for every active employer that
    laid nobody off that year; idempotent (one per employer and year), one transaction, the
    new ones booked together to the unemployment fund."""
    require(actor, "benefits.payroll")
    today = clock.today()
    check_year(year, today)
    rates = agency.param(db, "unemployment.stabilisation_rate", dt.date(year, 12, 31))
    large = agency.param(db, "unemployment.stabilisation_large_staff", dt.date(year, 12, 31))
    done = set(db.execute(select(StabilisationRefund.employer_id)
                          .where(StabilisationRefund.year == year)).scalars())
    skip = done | _laid_off(db, year)
    employers = {e.id: e for e in db.execute(select(Employer).where(Employer.status == "active"))
                 .scalars()}
    made = [_refund(year, employers[eid], staff, int(paid), rates, large, actor, today)
            for eid, staff, paid in _contributions(db, year)
            if eid in employers and eid not in skip and paid]
    db.add_all(made)
    db.flush()
    _book_refunds(db, actor, year, made)
    audit.record(db, actor, "benefits.stabilisation_refunds", f"stabilisation:{year}",
                 after={"year": year, "refunds": len(made), "amount": sum(r.amount for r in made)})
    return made


def _refund(year: int, employer: Employer, staff: int, paid: int, rates: dict, large: int,
            actor: Actor, today: dt.date) -> StabilisationRefund:
    size = "large" if staff >= large else "small"
    rate = Decimal(str(rates[size]))
    return StabilisationRefund(year=year, employer_id=employer.id, size=size, staff=staff,
                               contributions=paid, rate=str(rate),
                               amount=rules.stabilisation_refund(paid, rate),
                               bank_account=employer.bank_account or "", decided_on=today,
                               decided_by=actor.username)


def _book_refunds(db: Session, actor: Actor, year: int, made: list[StabilisationRefund]) -> None:
    total = sum(r.amount for r in made)
    if not total:
        return
    memo = f"{year}年度失业保险稳岗返还 {len(made)} 户，{format_yuan(total)} 元"
    ledger.book_payroll(db, actor, rules.INSURANCE, total, 0,
                        f"{STABILISATION_SOURCE}:{year}:{min(r.id for r in made)}", memo)


def refunds(db: Session, actor: Actor,
            year: int | None = None) -> list[tuple[StabilisationRefund, Employer]]:
    """The refunds decided, newest year first, with their employers (staff and the fund's
    accountant read them)."""
    if not can(actor, "benefits.payroll_read"):
        require(actor, "benefits.read")
    stmt = select(StabilisationRefund, Employer).join(
        Employer, Employer.id == StabilisationRefund.employer_id)
    if year is not None:
        stmt = stmt.where(StabilisationRefund.year == year)
    return [tuple(r) for r in db.execute(stmt.order_by(StabilisationRefund.year.desc(),
                                                       StabilisationRefund.id))]


def employer_refunds(db: Session, employer_id: int) -> list[StabilisationRefund]:
    """One employer's refunds, newest year first, for its portal (the caller has checked that
    the reader is that employer)."""
    return list(db.execute(select(StabilisationRefund)
                           .where(StabilisationRefund.employer_id == employer_id)
                           .order_by(StabilisationRefund.year.desc())).scalars())


SIZES = {"large": "大型企业", "small": "中小微企业"}


def refunds_xlsx(db: Session, actor: Actor, year: int | None = None) -> bytes:
    rows = [(r.year, e.uscc, e.name, SIZES[r.size], r.staff, r.contributions, r.rate, r.amount,
             r.bank_account, r.decided_on.isoformat()) for r, e in refunds(db, actor, year)]
    headers = ["缴费年度", "统一社会信用代码", "单位名称", "企业规模", "参保人数", "上年度失业保险费（元）",
               "返还比例", "返还金额（元）", "单位账户", "核定日期"]
    return workbook("稳岗返还", headers, rows, money=(5, 7))
