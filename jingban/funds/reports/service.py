"""The monthly fund report (SPEC §9, R§40, Z-10(6)): income and expenditure of a month, the
three accounts' balances and how many months of benefits the fund holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.core import agency
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.funds.ledger import rules
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.funds.ledger.service import bank_balances, chart, check_fund, check_period, fund_name, totals


def monthly_report(db: Session, actor: Actor, fund: str, period: int) -> dict[str, Any]:
    """基金月报: the month's income and expenditure by account, the three accounts' closing
    balances, the accumulated balance and how many months of spending it covers."""
    require(actor, "funds.read")
    check_fund(fund)
    check_period(period)
    names = chart(db)
    month = totals(db, fund, period=period)
    lines = [{"account": code, "name": name, "class": kind,
              "amount": rules.balance(kind, *month.get(code, (0, 0)))}
             for code, (name, kind) in names.items() if kind in ("income", "expense")]
    income = sum(x["amount"] for x in lines if x["class"] == "income")
    expense = sum(x["amount"] for x in lines if x["class"] == "expense")
    balances = bank_balances(db, fund, period)
    reserve = sum(balances.values())
    monthly = _average_expense(db, fund, period)
    months = rules.reserve_months(reserve, monthly)
    warn_below = agency.param(db, "funds.reserve_months", rules.month_end(period))
    return {"fund": fund, "fund_name": fund_name(fund), "period": period, "lines": lines,
            "income": income, "expense": expense, "surplus": income - expense,
            "balances": balances, "reserve": reserve, "average_expense": monthly,
            "reserve_months": months, "warn_below": warn_below,
            "warning": months is not None and months < warn_below}


def _average_expense(db: Session, fund: str, period: int, months: int = 12) -> int:
    """Average monthly expenditure over the last ``months`` months that had any."""
    kinds = chart(db)
    query = (select(JournalEntry.period, JournalLine.account,
                    func.sum(JournalLine.debit - JournalLine.credit))
             .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
             .where(JournalEntry.fund == fund, JournalEntry.period <= period,
                    JournalEntry.period > period - 100)
             .group_by(JournalEntry.period, JournalLine.account))
    spent: dict[int, int] = {}
    for month, account, amount in db.execute(query):
        if kinds.get(int(account), ("", ""))[1] == "expense":
            spent[int(month)] = spent.get(int(month), 0) + int(amount)
    values = [v for v in spent.values() if v > 0][-months:]
    return sum(values) // len(values) if values else 0
