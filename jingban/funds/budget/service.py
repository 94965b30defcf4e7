"""The fund budget (R§39 and its 解读): the accountant drafts next year's budget per fund,
pre-filled from this year's actuals in the ledger, edits it and submits it; a reviewer who
neither prepared nor submitted it approves it or returns it with a reason. An approved
budget is locked; a change is a new version that revises it (预算调整). Execution is the
ledger's monthly actuals per item against the approved amounts (R§40 analysis and warning).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.excel import workbook
from jingban.core.money import MAX_YUAN
from jingban.funds.budget import rules
from jingban.funds.budget.models import Budget, BudgetLine
from jingban.funds.ledger import rules as ledger_rules
from jingban.funds.ledger.service import chart, check_fund, fund_name, totals

MAX_FEN = int(MAX_YUAN) * 100
ACCUMULATING = {"net_assets", "income", "expense"}  # 累计结余 = 基金结余 + 收入 − 支出


@dataclass(frozen=True)
class Change:
    """One item's new amount (fen) and note, as the accountant typed it."""
    item: str
    amount: int
    note: str = ""


def items(db: Session, year: int) -> list[rules.BudgetItem]:
    """The statutory items in force for the budget year (funds.budget_items)."""
    return rules.items_of(agency.param(db, "funds.budget_items", dt.date(year, 1, 1)))


def _between(db: Session, fund: str, first: int, last: int) -> dict[int, tuple[int, int]]:
    upto, before = totals(db, fund, through=last), totals(db, fund, through=first - 1)
    return {a: (d - before.get(a, (0, 0))[0], c - before.get(a, (0, 0))[1])
            for a, (d, c) in upto.items()}


def _accumulated(db: Session, fund: str, through: int) -> int:
    kinds = chart(db)
    return sum(c - d for a, (d, c) in totals(db, fund, through=through).items()
               if kinds.get(a, ("", ""))[1] in ACCUMULATING)


# --- drafting ------------------------------------------------------------------------------------

@transactional
def create_draft(db: Session, actor: Actor, fund: str, year: int) -> Budget:
    """基金预算草案 for next year, each item pre-filled with this year's actual annualised."""
    require(actor, "funds.budget")
    check_fund(fund)
    today = clock.today()
    if year != today.year + 1:
        raise InvalidInput("funds.budget_year", f"预算草案应为下一年度（{today.year + 1} 年）编制", "year")
    if earlier := _latest(db, fund, year):
        raise Conflict("funds.budget_exists",
                       f"{fund_name(fund)} {year} 年预算已存在（第 {earlier.version} 版），请修改或调整",
                       "year")
    first, last, months = rules.basis(today)
    sums = _between(db, fund, first, last)
    budget = Budget(fund=fund, year=year, version=1, status="draft", basis_from=first,
                    basis_to=last, basis_months=months, prepared_by=actor.username, return_reason="")
    lines = []
    for position, item in enumerate(items(db, year)):
        actual = rules.item_actual(item, sums)
        estimate = rules.annualise(actual, months)
        lines.append(BudgetLine(item=item.code, position=position, actual=actual,
                                estimate=estimate, amount=estimate, note=""))
    _, _, annual_net = rules.year_balance({x.item: x.estimate for x in lines}, items(db, year))
    budget.opening_balance = rules.opening_balance(_accumulated(db, fund, last), annual_net,
                                                   rules.remaining_months(today))
    budget.items = lines
    db.add(budget)
    db.flush()
    audit.record(db, actor, "funds.budget_draft", f"fund_budget:{budget.id}",
                 after={"fund": fund, "year": year, "basis": [first, last, months],
                        "opening_balance": budget.opening_balance,
                        "items": {x.item: x.amount for x in lines}})
    return budget


@transactional
def edit_items(db: Session, actor: Actor, budget_id: int, changes: list[Change]) -> Budget:
    """Set items' amounts and notes while the budget is a draft (or was returned); all or
    nothing: one bad item refuses the whole change."""
    require(actor, "funds.budget")
    budget = _for_update(db, budget_id)
    if budget.status not in rules.EDITABLE:
        raise Conflict("funds.budget_locked",
                       f"预算{rules.STATUSES[budget.status]}，不能修改；已批准的预算请办理预算调整", "id")
    if not changes:
        raise InvalidInput("funds.budget_items", "没有要修改的预算项目", "items")
    lines = {x.item: x for x in budget.items}
    seen: set[str] = set()
    for change in changes:
        _check_change(change, lines, seen)
    before = {c.item: [lines[c.item].amount, lines[c.item].note] for c in changes}
    for change in changes:
        lines[change.item].amount, lines[change.item].note = change.amount, change.note.strip()
    db.flush()
    audit.record(db, actor, "funds.budget_edit", f"fund_budget:{budget.id}", before=before,
                 after={c.item: [c.amount, c.note.strip()] for c in changes})
    return budget


def _check_change(change: Change, lines: dict[str, BudgetLine], seen: set[str]) -> None:
    field = f"items.{change.item}"
    if change.item not in lines:
        raise InvalidInput("funds.budget_item", f"未知的预算项目：{change.item}", "items")
    if change.item in seen:
        raise InvalidInput("funds.budget_item", f"预算项目 {change.item} 重复", field)
    seen.add(change.item)
    if not isinstance(change.amount, int) or isinstance(change.amount, bool):
        raise InvalidInput("funds.budget_amount", "预算数应为以分为单位的整数", f"{field}.amount")
    if change.amount < 0:
        raise InvalidInput("funds.budget_negative", "预算数不能为负数", f"{field}.amount")
    if change.amount > MAX_FEN:
        raise InvalidInput("money.too_large", "金额超出合理范围（不超过一万亿元）", f"{field}.amount")
    if len(change.note.strip()) > 300:
        raise InvalidInput("funds.budget_note", "说明不超过300字", f"{field}.note")


# --- review --------------------------------------------------------------------------------------

@transactional
def submit(db: Session, actor: Actor, budget_id: int) -> Budget:
    """The accountant submits the draft for review; from now on it cannot be edited."""
    require(actor, "funds.budget")
    budget = _for_update(db, budget_id)
    if budget.status not in rules.EDITABLE:
        raise Conflict("funds.budget_state", f"预算{rules.STATUSES[budget.status]}，不能提交", "id")
    budget.status, budget.submitted_by, budget.submitted_at = "submitted", actor.username, clock.now()
    audit.record(db, actor, "funds.budget_submit", f"fund_budget:{budget.id}",
                 after={"version": budget.version, "amounts": {x.item: x.amount for x in budget.items}})
    return budget


@transactional
def approve(db: Session, actor: Actor, budget_id: int) -> Budget:
    """A reviewer approves: the budget is locked, and the version it revises is superseded."""
    budget = _reviewed(db, actor, budget_id)
    budget.status = "approved"
    if budget.revises_id and (earlier := db.get(Budget, budget.revises_id)):
        earlier.status = "superseded"
    audit.record(db, actor, "funds.budget_approve", f"fund_budget:{budget.id}",
                 after={"version": budget.version, "revises": budget.revises_id})
    return budget


@transactional
def return_(db: Session, actor: Actor, budget_id: int, reason: str) -> Budget:
    """A reviewer returns the budget to the preparer with the reason; it is editable again."""
    require(actor, "funds.approve")
    if not (reason or "").strip():
        raise InvalidInput("funds.reason", "退回须写明理由", "reason")
    budget = _reviewed(db, actor, budget_id)
    budget.status, budget.return_reason = "returned", reason.strip()[:300]
    audit.record(db, actor, "funds.budget_return", f"fund_budget:{budget.id}",
                 after={"version": budget.version}, reason=budget.return_reason)
    return budget


def _reviewed(db: Session, actor: Actor, budget_id: int) -> Budget:
    require(actor, "funds.approve")
    budget = _for_update(db, budget_id)
    if problem := rules.review_problem(budget.status, actor.username, budget.prepared_by,
                                       budget.submitted_by):
        code = "funds.same_person" if "不相容" in problem else "funds.budget_state"
        raise Conflict(code, problem, "id")
    budget.reviewed_by, budget.reviewed_at = actor.username, clock.now()
    return budget


@transactional
def revise(db: Session, actor: Actor, budget_id: int) -> Budget:
    """预算调整: a new draft version copying the approved one, which stays in force (and in the
    history) until the revision is approved."""
    require(actor, "funds.budget")
    budget = _for_update(db, budget_id)
    if budget.status != "approved":
        raise Conflict("funds.budget_state", "只有已批准的预算可以调整", "id")
    if budget.year < clock.today().year:
        raise Conflict("funds.budget_year_closed", f"{budget.year} 年度已结束，预算不能再调整", "id")
    if open_ := db.execute(select(Budget).where(Budget.revises_id == budget.id)).scalar():
        raise Conflict("funds.budget_revision_open", f"该预算已有调整版本（第 {open_.version} 版）", "id")
    version = _latest(db, budget.fund, budget.year).version + 1
    revision = Budget(fund=budget.fund, year=budget.year, version=version, revises_id=budget.id,
                      status="draft", basis_from=budget.basis_from, basis_to=budget.basis_to,
                      basis_months=budget.basis_months, opening_balance=budget.opening_balance,
                      prepared_by=actor.username, return_reason="")
    revision.items = [BudgetLine(item=x.item, position=x.position, actual=x.actual,
                                 estimate=x.estimate, amount=x.amount, note=x.note)
                      for x in budget.items]
    db.add(revision)
    db.flush()
    audit.record(db, actor, "funds.budget_revise", f"fund_budget:{revision.id}",
                 after={"revises": budget.id, "version": version}, related=f"fund_budget:{budget.id}")
    return revision


def _for_update(db: Session, budget_id: int) -> Budget:
    budget = db.get(Budget, budget_id, with_for_update=True)
    if budget is None:
        raise NotFound("funds.budget_not_found", f"未找到基金预算 {budget_id}", "id")
    return budget


def _latest(db: Session, fund: str, year: int) -> Budget | None:
    return db.execute(select(Budget).where(Budget.fund == fund, Budget.year == year)
                      .order_by(Budget.version.desc()).limit(1)).scalar()


# --- reading -------------------------------------------------------------------------------------

def get(db: Session, actor: Actor, budget_id: int) -> Budget:
    require(actor, "funds.read")
    budget = db.get(Budget, budget_id)
    if budget is None:
        raise NotFound("funds.budget_not_found", f"未找到基金预算 {budget_id}", "id")
    return budget


def budgets(db: Session, actor: Actor, *, fund: str | None = None, year: int | None = None,
            limit: int = 200) -> list[Budget]:
    require(actor, "funds.read")
    query = select(Budget).order_by(Budget.year.desc(), Budget.fund, Budget.version.desc())
    if fund:
        query = query.where(Budget.fund == check_fund(fund))
    if year:
        query = query.where(Budget.year == year)
    return list(db.execute(query.limit(limit)).scalars())


def view(db: Session, actor: Actor, budget_id: int) -> dict[str, Any]:
    """The budget with its items named, the totals, the year's balance and the expected
    year-end accumulated balance, and every version of the fund's year (history)."""
    budget = get(db, actor, budget_id)
    known = {x.code: x for x in items(db, budget.year)}
    rows = [{"item": x.item, "name": known[x.item].name if x.item in known else x.item,
             "side": known[x.item].side if x.item in known else "",
             "accounts": list(known[x.item].accounts) if x.item in known else [],
             "actual": x.actual, "estimate": x.estimate, "amount": x.amount, "note": x.note}
            for x in budget.items]
    income, expense, balance = rules.year_balance({x.item: x.amount for x in budget.items},
                                                  list(known.values()))
    versions = db.execute(select(Budget).where(Budget.fund == budget.fund, Budget.year == budget.year)
                          .order_by(Budget.version)).scalars()
    return {"budget": budget, "fund_name": fund_name(budget.fund),
            "status_name": rules.STATUSES[budget.status], "rows": rows, "income": income,
            "expense": expense, "balance": balance, "opening_balance": budget.opening_balance,
            "closing_balance": budget.opening_balance + balance,
            "editable": budget.status in rules.EDITABLE, "history": list(versions)}


def execution(db: Session, actor: Actor, budget_id: int) -> dict[str, Any]:
    """预算执行: for the budget year, each item's actual per month from the ledger, the
    cumulative total, the share of the budget and what is left, flagged when off the
    time-proportional path by more than funds.budget_deviation_points."""
    budget = get(db, actor, budget_id)
    today = clock.today()
    last = min(budget.year * 100 + 12, ledger_rules.period_of(today))
    periods = list(range(budget.year * 100 + 1, last + 1))
    monthly = {p: totals(db, budget.fund, period=p) for p in periods}
    share = rules.time_share(budget.year, today)
    threshold = Fraction(str(agency.param(db, "funds.budget_deviation_points", today)))
    amounts = {x.item: x.amount for x in budget.items}
    rows = []
    for item in items(db, budget.year):
        months = [rules.item_actual(item, monthly[p]) for p in periods]
        rows.append(_executed(item.code, item.name, item.side, amounts.get(item.code, 0), months,
                              rules.execution_flag(amounts.get(item.code, 0), sum(months), share,
                                                   threshold)))
    sides = [_executed(side, f"{name}合计", side, sum(r["budget"] for r in rows if r["side"] == side),
                       [sum(r["months"][i] for r in rows if r["side"] == side) for i in range(len(periods))],
                       None) for side, name in rules.SIDES.items()]
    return {"budget": budget, "fund_name": fund_name(budget.fund), "periods": periods,
            "time_share": _pct(share * 100), "threshold": float(threshold), "rows": rows,
            "totals": sides, "flagged": [r for r in rows if r["flag"]]}


def _executed(code: str, name: str, side: str, amount: int, months: list[int],
              flag: str | None) -> dict[str, Any]:
    cumulative = sum(months)
    share = rules.percent(cumulative, amount)
    return {"item": code, "name": name, "side": side, "budget": amount, "months": months,
            "cumulative": cumulative, "percent": None if share is None else _pct(share),
            "remaining": amount - cumulative, "flag": flag}


def _pct(value: Fraction) -> float:
    return round(float(value), 1)


# --- Excel ---------------------------------------------------------------------------------------

def draft_xlsx(db: Session, actor: Actor, budget_id: int) -> tuple[bytes, str]:
    """基金预算草案表 as .xlsx: every item with its accounts, the actuals it was pre-filled
    from, the annual estimate, the budget and the note; then the totals and balances."""
    shown = view(db, actor, budget_id)
    budget = shown["budget"]
    basis = f"{budget.basis_from}—{budget.basis_to}（{budget.basis_months} 个月）实际"
    rows: list[list[Any]] = [[rules.SIDES.get(r["side"], ""), r["name"], "、".join(map(str, r["accounts"])),
                              r["actual"], r["estimate"], r["amount"], r["note"]] for r in shown["rows"]]
    rows += [["", "收入合计", "", None, None, shown["income"], ""],
             ["", "支出合计", "", None, None, shown["expense"], ""],
             ["", "本年收支结余", "", None, None, shown["balance"], ""],
             ["", "预计年初累计结余", "", None, None, shown["opening_balance"], ""],
             ["", "预计年末累计结余", "", None, None, shown["closing_balance"], ""]]
    content = workbook(f"{budget.year}年基金预算", ["类别", "项目", "会计科目", basis + "（元）",
                                                "全年测算（元）", "预算数（元）", "说明"], rows,
                       money=(3, 4, 5))
    return content, f"基金预算_{shown['fund_name']}_{budget.year}_第{budget.version}版.xlsx"


def execution_xlsx(db: Session, actor: Actor, budget_id: int) -> tuple[bytes, str]:
    """预算执行表 as .xlsx: one row per item, a column per month booked so far."""
    shown = execution(db, actor, budget_id)
    budget = shown["budget"]
    months = [f"{p % 100}月（元）" for p in shown["periods"]]
    n = len(months)
    rows = [[r["name"], r["budget"], *r["months"], r["cumulative"],
             r["percent"], r["remaining"], r.get("flag") or ""]
            for r in shown["rows"] + shown["totals"]]
    content = workbook(f"{budget.year}年预算执行", ["项目", "预算数（元）", *months, "累计（元）",
                                                "执行率（%）", "剩余（元）", "预警"], rows,
                       money=(1, *range(2, 2 + n), 2 + n, 4 + n))
    return content, f"预算执行_{shown['fund_name']}_{budget.year}.xlsx"
