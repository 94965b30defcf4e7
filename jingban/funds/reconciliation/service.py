"""Reconciliation (Z-10(1)3, 账账相符、账款相符): a statement of one fund's account for one
month — the bank's (财政专户、收入户、支出户) or the tax collector's — matched line by line
against the ledger; every difference listed with its kind and resolved with a reason."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.excel import workbook
from jingban.funds.ledger import rules as ledger_rules
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.funds.ledger.service import banks, check_fund, check_period, fund_name
from jingban.funds.reconciliation import rules
from jingban.funds.reconciliation.models import Difference, Reconciliation, Statement, StatementRow
from jingban.funds.reconciliation.rules import Item


def check_account(account: str) -> str:
    if account not in rules.ACCOUNT_KINDS:
        raise InvalidInput("funds.account", "对账账户应为财政专户、收入户、支出户或税务征收", "account")
    return account


def ledger_items(db: Session, fund: str, account: str, period: int) -> list[tuple[Item, int]]:
    """(item, entry id) per ledger line: the bank account's lines (借 = in), or for the
    collector the contribution entries' income lines (贷 4001 = in) and their reversals."""
    query = (select(JournalLine, JournalEntry).join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
             .where(JournalEntry.fund == fund, JournalEntry.period == period)
             .order_by(JournalEntry.entry_on, JournalLine.id))
    if account == "collector":
        reversed_ = aliased(JournalEntry)
        contribution = JournalEntry.source.like("contribution:%")
        query = query.where(JournalLine.account == ledger_rules.CONTRIBUTION_INCOME, or_(
            contribution, JournalEntry.reverses_id.in_(
                select(reversed_.id).where(reversed_.source.like("contribution:%")))))
    else:
        query = query.where(JournalLine.account == banks(db)[account])
    found = []
    for line, entry in db.execute(query):
        money_in = line.credit if account == "collector" else line.debit
        money_out = line.debit if account == "collector" else line.credit
        found.append((Item(line.id, entry.entry_on, "in" if money_in else "out",
                           money_in or money_out, (rules.voucher_no(entry.id), entry.source)),
                      entry.id))
    return found


@transactional
def import_statement(db: Session, actor: Actor, *, fund: str, account: str, period: int,
                     filename: str, content: bytes) -> Reconciliation:
    """Receive one statement and match it; the same file again returns the record as it is,
    a different (corrected) one supersedes the earlier statement."""
    require(actor, "funds.reconcile")
    check_fund(fund)
    check_account(account)
    if check_period(period) > ledger_rules.period_of(clock.today()):
        raise InvalidInput("funds.period_future", f"{period} 尚未开始，不能对账", "period")
    sha256 = hashlib.sha256(content).hexdigest()
    record = db.execute(select(Reconciliation).where(
        Reconciliation.fund == fund, Reconciliation.account == account,
        Reconciliation.period == period)).scalar()
    if record is not None:
        earlier = db.execute(select(Statement).where(Statement.reconciliation_id == record.id,
                                                     Statement.sha256 == sha256)).scalar()
        if earlier is not None and earlier.superseded_at is None:
            record.repeat = True
            return record
        if earlier is not None:
            raise Conflict("funds.statement_superseded", "该对账单此前已导入并已被更正后的对账单取代", "file")
    rows, encoding = rules.read(content)
    if record is None:
        record = Reconciliation(fund=fund, account=account, period=period, status="balanced",
                                updated_by=actor.username)
        db.add(record)
        db.flush()
    else:
        _supersede(db, record)
    statement = Statement(reconciliation_id=record.id, filename=(filename or "对账单")[:200],
                          sha256=sha256, encoding=encoding, uploaded_by=actor.username)
    db.add(statement)
    db.flush()
    _match(db, record, statement, rows)
    audit.record(db, actor, "funds.reconcile", f"fund_reconciliation:{record.id}",
                 after={"fund": fund, "account": account, "period": period, "sha256": sha256,
                        "status": record.status, "rows": len(rows)})
    return record


def _supersede(db: Session, record: Reconciliation) -> None:
    for statement in db.execute(select(Statement).where(
            Statement.reconciliation_id == record.id, Statement.superseded_at.is_(None))).scalars():
        statement.superseded_at = clock.now()
        for diff in db.execute(select(Difference).where(Difference.statement_id == statement.id,
                                                        Difference.status == "open")).scalars():
            diff.status = "superseded"


def _match(db: Session, record: Reconciliation, statement: Statement,
           rows: list[rules.Row]) -> None:
    stored = [StatementRow(statement_id=statement.id, line=r.line, raw=r.raw, txn_on=r.on,
                           amount=r.amount, direction=r.direction, summary=r.summary,
                           reference=r.reference, problem_field=r.problem and r.problem[0],
                           problem=r.problem and r.problem[1][:200]) for r in rows]
    db.add_all(stored)
    db.flush()
    by_line = {r.line: r for r in stored}
    items = [Item(r.line, r.txn_on, r.direction, r.amount, (r.reference,) if r.reference else ())
             for r in stored if r.problem is None]
    ledger = ledger_items(db, record.fund, record.account, record.period)
    lines = {item.key: (item, entry_id) for item, entry_id in ledger}
    tolerance = int(agency.param(db, "funds.reconcile_date_tolerance_days",
                                 ledger_rules.month_end(record.period)))
    for pair in rules.match(items, [x for x, _ in ledger], tolerance):
        row = by_line.get(pair.statement) if pair.statement is not None else None
        item, entry_id = lines.get(pair.ledger, (None, None))
        if row is not None and item is not None:
            row.ledger_line_id = item.key
        if pair.kind:
            db.add(Difference(statement_id=statement.id, kind=pair.kind, row_id=row and row.id,
                              ledger_line_id=item and item.key, entry_id=entry_id,
                              direction=(row.direction if row else item.direction),
                              statement_amount=row and row.amount, ledger_amount=item and item.amount,
                              statement_on=row and row.txn_on, ledger_on=item and item.on))
    db.flush()
    signed = sum((r.amount if r.direction == "in" else -r.amount) for r in stored if r.problem is None)
    record.statement_balance = signed
    record.ledger_balance = sum((x.amount if x.direction == "in" else -x.amount) for x, _ in ledger)
    _restatus(db, record, statement)
    record.updated_at = clock.now()


def _restatus(db: Session, record: Reconciliation, statement: Statement) -> None:
    kinds = [d.status for d in differences_of(db, statement.id)]
    record.status = rules.status_of(kinds.count("open"), len(kinds))


def current_statement(db: Session, record: Reconciliation) -> Statement | None:
    return db.execute(select(Statement).where(Statement.reconciliation_id == record.id,
                                              Statement.superseded_at.is_(None))).scalar()


def differences_of(db: Session, statement_id: int) -> list[Difference]:
    return list(db.execute(select(Difference).where(Difference.statement_id == statement_id)
                           .order_by(Difference.id)).scalars())


def rows_of(db: Session, statement_id: int) -> list[StatementRow]:
    return list(db.execute(select(StatementRow).where(StatementRow.statement_id == statement_id)
                           .order_by(StatementRow.line)).scalars())


def get(db: Session, actor: Actor, record_id: int) -> Reconciliation:
    require(actor, "funds.read")
    record = db.get(Reconciliation, record_id)
    if record is None:
        raise NotFound("funds.reconciliation_not_found", f"未找到对账记录 {record_id}", "id")
    return record


def view(db: Session, actor: Actor, record_id: int) -> dict[str, Any]:
    """The record, its current statement's rows, differences and problem rows."""
    record = get(db, actor, record_id)
    statement = current_statement(db, record)
    rows = rows_of(db, statement.id) if statement else []
    return {"record": record, "statement": statement, "fund_name": fund_name(record.fund),
            "account_name": rules.ACCOUNT_KINDS[record.account],
            "status_name": rules.STATUSES[record.status],
            "rows": [r for r in rows if r.problem is None],
            "problems": [r for r in rows if r.problem is not None],
            "differences": differences_of(db, statement.id) if statement else []}


def reconciliations(db: Session, actor: Actor, *, fund: str | None = None,
                    period: int | None = None, limit: int = 200) -> list[Reconciliation]:
    require(actor, "funds.read")
    query = select(Reconciliation).order_by(Reconciliation.period.desc(), Reconciliation.id.desc())
    if fund:
        query = query.where(Reconciliation.fund == check_fund(fund))
    if period:
        query = query.where(Reconciliation.period == check_period(period))
    return list(db.execute(query.limit(limit)).scalars())


@transactional
def resolve(db: Session, actor: Actor, record_id: int, difference_id: int,
            reason: str) -> Difference:
    """差异处理: the accountant states why the difference stands (未达账项、银行记账日期等)."""
    require(actor, "funds.reconcile")
    record = get(db, actor, record_id)
    statement = current_statement(db, record)
    diff = db.get(Difference, difference_id)
    if diff is None or statement is None or diff.statement_id != statement.id:
        raise NotFound("funds.difference_not_found", f"该对账记录中没有差异 {difference_id}", "difference_id")
    if not (reason or "").strip():
        raise InvalidInput("funds.reason", "处理差异须写明理由", "reason")
    if diff.status != "open":
        raise Conflict("funds.difference_resolved", f"差异 {difference_id} 已处理", "difference_id")
    diff.status, diff.reason = "resolved", reason.strip()[:300]
    diff.resolved_by, diff.resolved_at = actor.username, clock.now()
    _restatus(db, record, statement)
    audit.record(db, actor, "funds.resolve_difference", f"fund_reconciliation:{record.id}",
                 after={"difference": diff.id, "kind": diff.kind, "status": record.status},
                 reason=diff.reason)
    return diff


def flags(db: Session, actor: Actor, year: int) -> list[dict[str, Any]]:
    """对账缺失: (fund, account) not reconciled in two or more months of ``year`` up to last
    month, counted from the fund's first booked month (before it nothing can be reconciled)."""
    require(actor, "funds.read")
    last = min(year * 100 + 12, ledger_rules.period_of(clock.today()) - 1)
    if last % 100 == 0:
        last -= 88  # January: last month is December of the year before
    done = {(r.fund, r.account, r.period) for r in db.execute(select(Reconciliation).where(
        Reconciliation.period.between(year * 100 + 1, year * 100 + 12),
        Reconciliation.status.in_(rules.RECONCILED))).scalars()}
    found = []
    for fund in ledger_rules.FUNDS:
        first = db.execute(select(JournalEntry.period).where(JournalEntry.fund == fund)
                           .order_by(JournalEntry.period).limit(1)).scalar()
        if first is None:
            continue
        months = [p for p in range(max(first, year * 100 + 1), last + 1) if 1 <= p % 100 <= 12]
        for account, name in rules.ACCOUNT_KINDS.items():
            missing = [p for p in months if (fund, account, p) not in done]
            if len(missing) >= 2:
                found.append({"fund": fund, "fund_name": fund_name(fund), "account": account,
                              "account_name": name, "months": missing,
                              "message": f"对账缺失 {len(missing)} 个月"})
    return found


def differences_xlsx(db: Session, actor: Actor, record_id: int) -> tuple[bytes, str]:
    """差异清单 of the record's current statement, as .xlsx."""
    shown = view(db, actor, record_id)
    record = shown["record"]
    rows = [[d.id, rules.DIFFERENCE_KINDS.get(d.kind, d.kind), rules.DIRECTIONS.get(d.direction, ""),
             d.statement_on, d.statement_amount, d.ledger_on, d.ledger_amount,
             rules.voucher_no(d.entry_id) if d.entry_id else "", d.status, d.reason, d.resolved_by or ""]
            for d in shown["differences"]]
    content = workbook("对账差异", ["差异", "类型", "方向", "对账单日期", "对账单金额（元）", "账面日期",
                                "账面金额（元）", "凭证号", "状态", "处理理由", "处理人"], rows, money=(4, 6))
    return content, f"对账差异_{shown['fund_name']}_{shown['account_name']}_{record.period}.xlsx"


def list_xlsx(db: Session, actor: Actor, *, fund: str | None = None,
              period: int | None = None) -> bytes:
    rows = [[r.id, fund_name(r.fund), rules.ACCOUNT_KINDS[r.account], r.period, r.ledger_balance,
             r.statement_balance, rules.STATUSES[r.status], r.updated_by]
            for r in reconciliations(db, actor, fund=fund, period=period, limit=5000)]
    return workbook("对账记录", ["记录", "险种基金", "账户", "期间", "账面（元）", "对账单（元）", "状态",
                              "经办人"], rows, money=(4, 5))
