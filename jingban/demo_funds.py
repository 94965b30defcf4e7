"""The demo region's fund books: the months from January of last year to last month, simulated
day by day as the agency would have kept them, so the accountant's dashboard, the monthly
reports, the reserve check, the reconciliation and the public disclosure have a past to show.

Each month, per fund: the collector's income on the 10th, the benefits on the 25th, interest on
the fiscal account at the end of each quarter, the month-end sweep and closing, and the report
filed on the 10th of the next month; every voucher confirmed by the demo cashier. Last year's
disclosure is published in January. Last month's fiscal-account statement is imported with one
line the ledger does not have, for the accountant to resolve (README, “基金演示”).

All amounts are 【演示值】: scaled from the region's enrolments, not from any policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.money import to_yuan
from jingban.funds.ledger import rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.reconciliation import service as reconciliation
from jingban.funds.reports import service as reports
from jingban.registration.models import Enrollment

ACCOUNTANT = Actor("accountant", frozenset({"accountant"}), True, "demo")
CASHIER = Actor("cashier", frozenset({"cashier"}), True, "demo")

# 【演示值】 monthly income per enrolled person (fen) and the share of it paid out as benefits;
# the institution fund pays out more than it takes in, so its reserve falls below the line.
PER_HEAD = {"pension_enterprise": 120000, "pension_institution": 150000, "pension_resident": 2500,
            "medical_employee": 60000, "medical_resident": 8000, "injury": 2000,
            "unemployment": 4000, "maternity": 3000}
PAID_OUT = {"pension_enterprise": 0.85, "pension_institution": 1.05, "pension_resident": 0.6,
            "medical_employee": 0.8, "medical_resident": 0.9, "injury": 0.5,
            "unemployment": 0.4, "maternity": 0.7}
OPENING_MONTHS = 4  # the balance carried in on 1 January of last year, in months of benefits
INTEREST_PER_QUARTER = (35, 40000)  # 0.35 % a year on the fiscal account, a quarter of it
MISSING_INTEREST = 1234  # the statement's line the ledger lacks: the bank's interest slip


@dataclass(frozen=True)
class FundsDemo:
    months: int
    entries: int
    published: int
    statement: Path
    reconciliation_id: int


def is_seeded(db: Session) -> bool:
    return db.execute(select(JournalEntry.id).where(JournalEntry.source.like("demo:%"))
                      .limit(1)).first() is not None


def seed(db: Session, folder: Path) -> FundsDemo | None:
    """Book the demo's past; None when it is booked already or the region has nobody."""
    if is_seeded(db):
        return None
    heads = dict(db.execute(select(Enrollment.insurance, func.count())
                            .where(Enrollment.end_date.is_(None))
                            .group_by(Enrollment.insurance)).all())
    income = {fund: heads.get(fund, 0) * PER_HEAD[fund] for fund in rules.FUNDS}
    if not any(income.values()):
        return None
    today = clock.today()
    periods = _periods(today.year - 1, rules.period_of(today))
    _opening(db, income, dt.date(today.year - 1, 1, 1))
    for period in periods:
        _month(db, period, income)
    with clock.travel(min(today, dt.date(today.year, 1, 15))):
        reports.publish_disclosure(db, ACCOUNTANT, today.year - 1)
    statement = _statement(db, periods[-1], folder)
    record = reconciliation.import_statement(
        db, ACCOUNTANT, fund="pension_enterprise", account="fiscal", period=periods[-1],
        filename=statement.name, content=statement.read_bytes())
    count = db.execute(select(func.count()).select_from(JournalEntry)).scalar_one()
    return FundsDemo(len(periods), count, today.year - 1, statement, record.id)


def _periods(first_year: int, current: int) -> list[int]:
    """January of ``first_year`` up to the month before ``current``."""
    found, period = [], first_year * 100 + 1
    while period < current:
        found.append(period)
        period = period + 1 if period % 100 < 12 else (period // 100 + 1) * 100 + 1
    return found


def _day(period: int, day: int) -> dt.date:
    return dt.date(period // 100, period % 100, day)


def _book(db: Session, fund: str, source: str, memo: str, lines: list[rules.Line]) -> None:
    entry = ledger.book(db, ACCOUNTANT, fund=fund, source=f"demo:{source}", memo=memo, lines=lines)
    ledger.sign(db, CASHIER, entry.id, "confirm")


def _opening(db: Session, income: dict[str, int], day: dt.date) -> None:
    banks = ledger.banks(db)
    with clock.travel(day):
        for fund, amount in income.items():
            carried = int(amount * PAID_OUT[fund]) * OPENING_MONTHS
            if carried:
                _book(db, fund, f"opening:{fund}", f"{day.year} 年初基金结余结转（演示历史数据）",
                      [rules.Line(banks["fiscal"], debit=carried),
                       rules.Line(rules.FUND_BALANCE, credit=carried)])


def _month(db: Session, period: int, income: dict[str, int]) -> None:
    banks = ledger.banks(db)
    funds = [fund for fund, amount in income.items() if amount]
    with clock.travel(_day(period, 10)):
        for fund in funds:
            _book(db, fund, f"contribution:{period}:{fund}", f"{period} 征收机构划入社会保险费（演示）",
                  rules.contribution_lines(banks, income[fund]))
        _file_reports(db, period, funds)
    if period % 100 in (3, 6, 9, 12):
        with clock.travel(_day(period, 21)):
            for fund in funds:
                held = ledger.bank_balances(db, fund, period)["fiscal"]
                num, den = INTEREST_PER_QUARTER
                _book(db, fund, f"interest:{period}:{fund}", f"{period} 财政专户季度结息（演示）",
                      rules.interest_lines(banks, "fiscal", max(1, held * num // den)))
    with clock.travel(_day(period, 25)):
        for fund in funds:
            _book(db, fund, f"payroll:{period}:{fund}", f"{period} 待遇发放（演示）",
                  rules.payroll_lines(banks, int(income[fund] * PAID_OUT[fund]), 0))
    with clock.travel(rules.month_end(period)):
        for entry in ledger.sweep(db, ACCOUNTANT, period):
            ledger.sign(db, CASHIER, entry.id, "confirm")
        for fund in rules.FUNDS:
            ledger.close_period(db, ACCOUNTANT, fund, period)


def _file_reports(db: Session, period: int, funds: list[str]) -> None:
    """On the 10th, last month's reports (the first demo month has none before it)."""
    year, month = divmod(period, 100)
    previous = period - 1 if month > 1 else (year - 1) * 100 + 12
    if db.execute(select(JournalEntry.id).where(JournalEntry.period == previous).limit(1)).first():
        for fund in funds:
            reports.file_report(db, ACCOUNTANT, fund, previous)


def _statement(db: Session, period: int, folder: Path) -> Path:
    """The fiscal account's bank statement of ``period`` for the enterprise pension fund: every
    ledger movement, plus the bank's interest credit on the last day that nobody booked."""
    lines = ["日期,金额,方向,摘要,参考号"]
    for item, _entry in reconciliation.ledger_items(db, "pension_enterprise", "fiscal", period):
        lines.append(f"{item.on.isoformat()},{to_yuan(item.amount)},"
                     f"{'收' if item.direction == 'in' else '付'},银行记账,")
    lines.append(f"{rules.month_end(period).isoformat()},{to_yuan(MISSING_INTEREST)},收,"
                 "活期利息,")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-fiscal-statement-{period}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
