"""The monthly fund report (SPEC §9, R§40, Z-3(4), Z-10(6)): income and expenditure of a month,
the three accounts' balances, the accumulated balance and how many months of benefits the fund
holds; its filing (报送) by the 15th of the next month; the annual public disclosure (R§50);
the dashboard's twelve-month series.

Every figure is read from the ledger's booked entries; a filed report or a published disclosure
is a frozen snapshot of them (models)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.funds.ledger import rules as ledger_rules
from jingban.funds.ledger.models import ClosedPeriod, JournalEntry, JournalLine
from jingban.funds.ledger.service import banks, chart, check_fund, check_period, fund_name
from jingban.funds.reports import rules
from jingban.funds.reports.models import FundDisclosure, FundReport
from jingban.registration.models import Enrollment

audit.ACT_NAMES.update({"funds.file_report": "报送基金月报",
                        "funds.publish_disclosure": "公开年度基金信息"})
MAX_REASON = 300

Sums = dict[int, dict[int, tuple[int, int]]]  # period → account → (debits, credits)


# --- figures from the ledger -----------------------------------------------------------------------

def _sums(db: Session, fund: str, through: int) -> Sums:
    query = (select(JournalEntry.period, JournalLine.account, func.sum(JournalLine.debit),
                    func.sum(JournalLine.credit))
             .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
             .where(JournalEntry.fund == fund, JournalEntry.period <= through)
             .group_by(JournalEntry.period, JournalLine.account))
    found: Sums = {}
    for period, account, debit, credit in db.execute(query):
        found.setdefault(int(period), {})[int(account)] = (int(debit or 0), int(credit or 0))
    return found


def _class_total(sums: dict[int, tuple[int, int]], names: dict[int, tuple[str, str]],
                 kind: str) -> int:
    return sum(ledger_rules.balance(kind, d, c) for code, (d, c) in sums.items()
               if names.get(code, ("", ""))[1] == kind)


def _through(sums: Sums, period: int) -> dict[int, tuple[int, int]]:
    """Account → (debits, credits) summed over every month up to ``period``."""
    total: dict[int, tuple[int, int]] = {}
    for month, accounts in sums.items():
        if month <= period:
            for code, (d, c) in accounts.items():
                before = total.get(code, (0, 0))
                total[code] = (before[0] + d, before[1] + c)
    return total


def _position(db: Session, sums: Sums, period: int) -> dict[str, Any]:
    """The fund at the end of ``period``: bank balances, accumulated balance, months held."""
    names, accounts = chart(db), banks(db)
    through = _through(sums, period)
    balances = {kind: ledger_rules.balance("asset", *through.get(code, (0, 0)))
                for kind, code in accounts.items()}
    spent = {p: sum(ledger_rules.balance("expense", *s.get(code, (0, 0)))
                    for code in rules.BENEFIT_ACCOUNTS) for p, s in sums.items()}
    average = rules.average_expense(spent, period)
    reserve = sum(balances.values())
    months = ledger_rules.reserve_months(reserve, average)
    threshold = agency.param(db, "funds.reserve_months", ledger_rules.month_end(period))
    accumulated = (_class_total(through, names, "asset") - _class_total(through, names, "liability"))
    return {"balances": balances, "reserve": reserve, "accumulated": accumulated,
            "average_expense": average, "reserve_months": months, "warn_below": threshold,
            "warning": rules.below_reserve(months, threshold)}


def monthly_report(db: Session, actor: Actor, fund: str, period: int) -> dict[str, Any]:
    """基金月报: the month's income and expenditure by account, the three accounts' closing
    balances, the accumulated balance (资产减负债) and how many months of benefits the liquid
    balance covers, against the reserve threshold (Z-10(6))."""
    require(actor, "funds.read")
    check_fund(fund)
    check_period(period)
    if period > ledger_rules.period_of(clock.today()):
        raise InvalidInput("funds.period_future", f"{period} 尚未开始，没有可报告的数据", "period")
    names = chart(db)
    sums = _sums(db, fund, period)
    month = sums.get(period, {})
    lines = [{"account": code, "name": name, "class": kind,
              "amount": ledger_rules.balance(kind, *month.get(code, (0, 0)))}
             for code, (name, kind) in names.items() if kind in ("income", "expense")]
    income = sum(x["amount"] for x in lines if x["class"] == "income")
    expense = sum(x["amount"] for x in lines if x["class"] == "expense")
    return {"fund": fund, "fund_name": fund_name(fund), "period": period, "lines": lines,
            "income": income, "expense": expense, "surplus": income - expense,
            "due_on": due_on(db, period).isoformat(), **_position(db, sums, period)}


def series(db: Session, actor: Actor, fund: str, last: int,
           months: int = rules.AVERAGE_MONTHS) -> list[dict[str, Any]]:
    """The dashboard's months up to ``last``: income, expenditure, the liquid balance and the
    months of benefits it covers, with the threshold."""
    require(actor, "funds.read")
    check_fund(fund)
    names = chart(db)
    sums = _sums(db, fund, last)
    found = []
    for period in rules.months_up_to(last, months):
        month = sums.get(period, {})
        found.append({"period": period, "income": _class_total(month, names, "income"),
                      "expense": _class_total(month, names, "expense"),
                      **_position(db, sums, period)})
    return found


def due_on(db: Session, period: int) -> dt.date:
    day = agency.param(db, "funds.report_due_day", ledger_rules.month_end(period))
    return rules.due_on(period, int(day))


# --- filing ------------------------------------------------------------------------------------------

def versions(db: Session, fund: str, period: int) -> list[FundReport]:
    return list(db.execute(select(FundReport).where(FundReport.fund == fund,
                                                    FundReport.period == period)
                           .order_by(FundReport.version)).scalars())


@transactional
def file_report(db: Session, actor: Actor, fund: str, period: int,
                reason: str = "") -> FundReport:
    """报送: the accountant files the report of a fund and an ended month as it stands; once.
    A refiling after a correction is the next version and says why."""
    require(actor, "funds.report")
    report = monthly_report(db, actor, fund, period)
    today, reason = clock.today(), (reason or "").strip()
    if today <= ledger_rules.month_end(period):
        raise Conflict("funds.report_period_open", f"{period} 尚未结束，月报应于次月报送", "period")
    if len(reason) > MAX_REASON:
        raise InvalidInput("funds.reason", f"理由不超过 {MAX_REASON} 字", "reason")
    earlier = versions(db, fund, period)
    if earlier and not reason:
        raise Conflict("funds.report_filed", f"{fund_name(fund)} {period} 月报已报送（第 "
                       f"{len(earlier)} 版）；更正后重报须写明理由", "reason")
    due = due_on(db, period)
    row = FundReport(fund=fund, period=period, version=len(earlier) + 1,
                     snapshot=audit.canonical(report), reason=reason, due_on=due, filed_on=today,
                     late=today > due, filed_by=actor.username)
    db.add(row)
    db.flush()
    audit.record(db, actor, "funds.file_report", f"fund_report:{row.id}", reason=reason,
                 after={"fund": fund, "period": period, "version": row.version,
                        "late": row.late, "income": report["income"],
                        "expense": report["expense"], "reserve": report["reserve"]})
    return row


def filed(db: Session, actor: Actor, report_id: int, fund: str | None = None,
          period: int | None = None) -> dict[str, Any]:
    """A filed version (of ``fund`` and ``period`` when given): its snapshot as it was filed."""
    require(actor, "funds.read")
    row = db.get(FundReport, report_id)
    if row is None or (fund, period) not in ((None, None), (row.fund, row.period)):
        raise NotFound("funds.report_not_found", f"未找到报送记录 {report_id}", "report_id")
    return {**json.loads(row.snapshot), "version": row.version, "filed_on": row.filed_on.isoformat(),
            "filed_by": row.filed_by, "late": row.late, "reason": row.reason}


def report_list(db: Session, actor: Actor, year: int) -> list[dict[str, Any]]:
    """Each fund's months of ``year`` that have begun, with the state of their report."""
    require(actor, "funds.read")
    if not 1900 <= year <= 2999:
        raise InvalidInput("funds.year", "年度应为四位数字", "year")
    today = clock.today()
    periods = [year * 100 + m for m in range(1, 13)
               if dt.date(year, m, 1) <= today]
    by_month: dict[tuple[str, int], list[FundReport]] = {}
    for row in db.execute(select(FundReport).where(FundReport.period.between(year * 100 + 1,
                                                                             year * 100 + 12))
                          .order_by(FundReport.version)).scalars():
        by_month.setdefault((row.fund, row.period), []).append(row)
    found = []
    for fund in ledger_rules.FUNDS:
        for period in periods:
            rows = by_month.get((fund, period), [])
            due = due_on(db, period)
            state = rules.state(period, today, due, rows[0].filed_on if rows else None)
            found.append({"fund": fund, "fund_name": fund_name(fund), "period": period,
                          "due_on": due, "state": state, "state_name": rules.STATES[state],
                          "versions": len(rows), "latest_id": rows[-1].id if rows else None,
                          "filed_on": rows[0].filed_on if rows else None,
                          "filed_by": rows[-1].filed_by if rows else None})
    return found


def pending(db: Session, actor: Actor) -> list[dict[str, Any]]:
    """Reports due or overdue today (the dashboard's reminder), for last year and this."""
    year = clock.today().year
    rows = report_list(db, actor, year - 1) + report_list(db, actor, year)
    return [r for r in rows if r["state"] in ("due", "overdue")]


# --- the public disclosure (R§50) ------------------------------------------------------------------

def _participants(db: Session, fund: str, year_end: dt.date) -> int:
    """Persons enrolled in the fund's insurance on the last day of the year."""
    return int(db.execute(
        select(func.count(func.distinct(Enrollment.person_id)))
        .where(Enrollment.insurance == fund, Enrollment.start_date <= year_end,
               (Enrollment.end_date.is_(None)) | (Enrollment.end_date >= year_end))).scalar() or 0)


def year_figures(db: Session, year: int) -> list[dict[str, Any]]:
    """Per fund: participation at year end, the year's income, expenditure and returns, the
    year-end accumulated balance."""
    names, last, year_end = chart(db), year * 100 + 12, dt.date(year, 12, 31)
    found = []
    for fund in ledger_rules.FUNDS:
        sums = _sums(db, fund, last)
        within = _through({p: s for p, s in sums.items() if p > (year - 1) * 100 + 12}, last)
        returns = sum(ledger_rules.balance("income", *within.get(code, (0, 0)))
                      for code in rules.RETURN_ACCOUNTS)
        found.append({"fund": fund, "fund_name": fund_name(fund),
                      "participants": _participants(db, fund, year_end),
                      "income": _class_total(within, names, "income"),
                      "expense": _class_total(within, names, "expense"),
                      "balance": _position(db, sums, last)["accumulated"], "returns": returns})
    return found


def _open_months(db: Session, year: int) -> list[str]:
    """Funds with books in ``year`` whose months from the first booked one are not all closed."""
    closed = {(c.fund, c.period) for c in db.execute(select(ClosedPeriod).where(
        ClosedPeriod.period.between(year * 100 + 1, year * 100 + 12))).scalars()}
    found = []
    for fund in ledger_rules.FUNDS:
        first = db.execute(select(func.min(JournalEntry.period)).where(
            JournalEntry.fund == fund, JournalEntry.period.between(year * 100 + 1,
                                                                   year * 100 + 12))).scalar()
        if first is not None and any((fund, p) not in closed for p in range(first, year * 100 + 13)):
            found.append(fund_name(fund))
    return found


@transactional
def publish_disclosure(db: Session, actor: Actor, year: int) -> FundDisclosure:
    """公开: the accountant publishes a closed year's figures, once; what the public sees is
    this snapshot."""
    require(actor, "funds.report")
    if not 1900 <= year <= 2999:
        raise InvalidInput("funds.year", "年度应为四位数字", "year")
    if not rules.year_ended(year, clock.today()):
        raise Conflict("funds.year_open", f"{year} 年度尚未结束，不能公开", "year")
    if open_funds := _open_months(db, year):
        raise Conflict("funds.year_open", f"{year} 年度以下基金尚有未结账月份：{'、'.join(open_funds)}",
                       "year")
    if db.get(FundDisclosure, year):
        raise Conflict("funds.disclosed", f"{year} 年度基金信息已公开", "year")
    figures = {"year": year, "funds": year_figures(db, year),
               "published_on": clock.today().isoformat()}
    row = FundDisclosure(year=year, snapshot=audit.canonical(figures), published_by=actor.username)
    db.add(row)
    db.flush()
    audit.record(db, actor, "funds.publish_disclosure", f"fund_disclosure:{year}", after=figures)
    return row


def disclosure(db: Session, year: int) -> dict[str, Any]:
    """A published year, for anyone (no login)."""
    row = db.get(FundDisclosure, year) if 1900 <= year <= 2999 else None
    if row is None:
        raise NotFound("funds.disclosure_not_found", f"{year} 年度社会保险基金信息尚未公开", "year")
    return json.loads(row.snapshot)


def disclosed_years(db: Session) -> list[int]:
    return list(db.execute(select(FundDisclosure.year).order_by(FundDisclosure.year.desc()))
                .scalars())
