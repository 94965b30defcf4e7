"""The employee-medical premium the unemployment fund pays while a person receives (代缴职工基本
医疗保险费, 《社会保险法》第四十八条; 人社部发〔2011〕77号).

Run by the monthly payroll (hooks in ``jingban.wiring``). For each unemployment month a run
pays (regular or back pay) the person's record gets one ``medical_employee`` contribution row
for that month — the fund as payer on the employer's side, nothing personal — keyed
``UM<run period>:<award>:<month>`` so a rerun of a range writes none twice. When the run
completes, the month's premiums are booked once to both funds: an expenditure of the
unemployment fund (社会保险待遇支出, from its fiscal account through its expenditure account) and
contribution income of the employee-medical fund (its income account).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Integer, String, cast, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.unemployment import rules
from jingban.core import agency
from jingban.core.actor import Actor
from jingban.core.money import format_yuan
from jingban.funds.ledger import service as ledger
from jingban.records.models import Contribution

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
