"""The funds ledger (SPEC §9, R§39–§41): every yuan the other areas move is booked here, in the
same transaction as the act that moves it, to the fund of its insurance.

Areas call one ``book_*`` function per event; each is idempotent on the event's ``source``,
so a rerun, a resumed batch or the back-fill never books twice. Entries are append-only; a
wrong one is undone by a reversing entry (``reverse``). The month end sweeps each income
account to the fiscal account (``sweep``) before the month is closed (``close_period``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import format_yuan
from jingban.funds.ledger import rules
from jingban.funds.ledger.models import ClosedPeriod, EntrySign, JournalEntry, JournalLine
from jingban.funds.ledger.rules import Line

Source = Callable[[Session, Actor], int]
_sources: dict[str, Source] = {}


def use_source(name: str, book_all: Source) -> None:
    """An area's back-fill: books every event it wrote before the ledger existed (wiring)."""
    _sources[name] = book_all


def chart(db: Session) -> dict[int, tuple[str, str]]:
    """Account code → (name, class) in force today (财会〔2017〕28号)."""
    rows = agency.param(db, "funds.chart", clock.today())
    return {int(code): (str(name), str(kind)) for code, name, kind in rows}


def banks(db: Session) -> dict[str, int]:
    return {k: int(v) for k, v in agency.param(db, "funds.bank_accounts", clock.today()).items()}


def fund_name(fund: str) -> str:
    return rules.FUNDS.get(fund, fund)


# --- booking -------------------------------------------------------------------------------------

@transactional
def book(db: Session, actor: Actor, *, fund: str, source: str, memo: str, lines: list[Line],
         kind: str = "auto", reverses_id: int | None = None,
         case_id: int | None = None) -> JournalEntry:
    """Book one balanced entry to one fund, today, unless its source is booked already."""
    if earlier := db.execute(select(JournalEntry).where(JournalEntry.source == source)).scalar():
        return earlier
    lines = [x for x in lines if x.debit or x.credit]
    if problem := rules.entry_problem(fund, lines, chart(db)):
        raise InvalidInput("funds.unbalanced" if "借贷" in problem else "funds.invalid_entry",
                           problem, "lines")
    if problem := rules.expenditure_problem(lines, banks(db), _sources_of_expenditure(db)):
        raise InvalidInput("funds.expenditure_source", problem, "lines")
    today = clock.today()
    period = rules.period_of(today)
    if db.get(ClosedPeriod, (fund, period)):
        raise Conflict("funds.period_closed", f"{fund_name(fund)} {period} 已结账，不能再记账", "period")
    entry = JournalEntry(fund=fund, period=period, entry_on=today, kind=kind, source=source,
                         memo=memo[:300], amount=sum(x.debit for x in lines),
                         reverses_id=reverses_id, case_id=case_id, booked_by=actor.username)
    entry.lines = [JournalLine(account=x.account, debit=x.debit, credit=x.credit) for x in lines]
    db.add(entry)
    db.flush()
    audit.record(db, actor, f"funds.{kind}", f"fund_entry:{entry.id}",
                 after={"fund": fund, "source": source, "amount": entry.amount,
                        "lines": [[x.account, x.debit, x.credit] for x in lines]})
    return entry


def _sources_of_expenditure(db: Session) -> list[int]:
    return [int(x) for x in agency.param(db, "funds.expenditure_sources", clock.today())]


def book_contribution(db: Session, actor: Actor, fund: str, amount: int, source: str,
                      memo: str) -> JournalEntry | None:
    """社会保险费收入 from the collector's file (one entry per file and insurance)."""
    return _book_positive(db, actor, fund, source, memo, rules.contribution_lines, amount)


def book_payroll(db: Session, actor: Actor, fund: str, gross: int, deduction: int, source: str,
                 memo: str) -> JournalEntry | None:
    """One payroll run's payments of one fund, summarised: the fiscal account funds the
    expenditure account with the net, the benefit expense is the gross."""
    if gross <= 0:
        return None
    return book(db, actor, fund=fund, source=source, memo=memo,
                lines=rules.payroll_lines(banks(db), gross, deduction))


def book_returned(db: Session, actor: Actor, fund: str, amount: int, source: str,
                  memo: str) -> JournalEntry | None:
    return _book_positive(db, actor, fund, source, memo, rules.returned_lines, amount)


def book_recovery(db: Session, actor: Actor, fund: str, amount: int, source: str,
                  memo: str) -> JournalEntry | None:
    """追回款 repaid in money (deductions from benefits are booked with the payroll)."""
    return _book_positive(db, actor, fund, source, memo, rules.recovery_lines, amount)


def book_transfer(db: Session, actor: Actor, fund: str, direction: str, amount: int, source: str,
                  memo: str) -> JournalEntry | None:
    return _book_positive(db, actor, fund, source, memo,
                          lambda b, a: rules.transfer_lines(b, direction, a), amount)


def _book_positive(db, actor, fund, source, memo, build, amount: int) -> JournalEntry | None:
    if amount == 0:
        return None
    if amount < 0:
        raise InvalidInput("funds.negative", "记账金额不能为负；更正请使用冲销凭证", "amount")
    return book(db, actor, fund=fund, source=source, memo=memo, lines=build(banks(db), amount))


@transactional
def book_interest(db: Session, actor: Actor, fund: str, bank: str, amount: int,
                  reference: str) -> JournalEntry:
    """银行结息 on one of the fund's three accounts, from the bank's interest slip."""
    require(actor, "funds.book")
    if bank not in rules.BANK_KINDS:
        raise InvalidInput("funds.bank", "银行账户应为收入户、支出户或财政专户", "bank")
    if amount <= 0:
        raise InvalidInput("funds.amount", "利息金额应大于0", "amount")
    return book(db, actor, fund=fund, source=f"interest:{fund}:{bank}:{reference}", kind="interest",
                memo=f"{rules.BANK_KINDS[bank]}结息（{reference}）",
                lines=rules.interest_lines(banks(db), bank, amount))


@transactional
def reverse(db: Session, actor: Actor, entry_id: int, reason: str) -> JournalEntry:
    """冲销: a new entry with every line on the other side, pointing at the one it undoes.
    The reviewer who reverses cannot be who booked it (不相容岗位分离, SPEC §2)."""
    require(actor, "funds.reverse")
    entry = db.get(JournalEntry, entry_id)
    if entry is None:
        raise NotFound("funds.entry_not_found", f"未找到记账凭证 {entry_id}", "entry_id")
    if not reason.strip():
        raise InvalidInput("funds.reason", "冲销须写明理由", "reason")
    if entry.kind == "reversal":
        raise Conflict("funds.reverse_reversal", "冲销凭证不能再冲销；如需恢复请重新记账", "entry_id")
    if entry.booked_by == actor.username:
        raise Conflict("funds.same_person", "冲销须由记账人以外的复核人员办理", "entry_id")
    if db.execute(select(JournalEntry.id).where(JournalEntry.reverses_id == entry.id)).first():
        raise Conflict("funds.reversed", f"凭证 {entry_id} 已冲销", "entry_id")
    lines = [Line(x.account, debit=x.credit, credit=x.debit) for x in entry.lines]
    return book(db, actor, fund=entry.fund, source=f"reversal:{entry.id}", kind="reversal",
                memo=f"冲销凭证 {entry.id}：{reason.strip()}", lines=lines, reverses_id=entry.id)


# --- signatures ---------------------------------------------------------------------------------

def signatures(db: Session, entry_id: int) -> dict[str, str]:
    rows = db.execute(select(EntrySign.step, EntrySign.username)
                      .where(EntrySign.entry_id == entry_id))
    return {step: username for step, username in rows}


def steps_needed(db: Session, entry: JournalEntry) -> list[str]:
    return rules.steps_needed(entry.kind, {x.account for x in entry.lines}, banks(db))


def entry_state(db: Session, entry: JournalEntry) -> str:
    return rules.state_of(steps_needed(db, entry), signatures(db, entry.id))


@transactional
def sign(db: Session, actor: Actor, entry_id: int, step: str) -> EntrySign:
    """The cashier confirms a voucher's bank movement or a reviewer approves it; never the
    person who prepared it or signed another step of it (Z-10(2))."""
    require(actor, rules.SIGN_ROLES.get(step, "funds.approve"))
    entry = db.get(JournalEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound("funds.entry_not_found", f"未找到记账凭证 {entry_id}", "entry_id")
    if problem := rules.sign_problem(step, actor.username, entry.booked_by,
                                     signatures(db, entry.id), steps_needed(db, entry)):
        code = "funds.same_person" if "同一人" in problem else "funds.sign"
        raise Conflict(code, problem, "entry_id")
    signed = EntrySign(entry_id=entry.id, step=step, username=actor.username)
    db.add(signed)
    db.flush()
    audit.record(db, actor, f"funds.{step}", f"fund_entry:{entry.id}",
                 after={"step": step, "source": entry.source})
    return signed


def unconfirmed(db: Session, source_prefix: str) -> list[JournalEntry]:
    """Entries whose source starts with ``source_prefix`` and that still wait for a signature
    (the payroll bank file is released only when none is left)."""
    found = db.execute(select(JournalEntry)
                       .where(JournalEntry.source.startswith(source_prefix, autoescape=True))
                       .order_by(JournalEntry.id)).scalars()
    return [x for x in found if entry_state(db, x) != rules.state_of([], {})]


def awaiting(db: Session, actor: Actor, step: str, limit: int = 200) -> list[JournalEntry]:
    """The vouchers waiting for ``step`` (the cashier's or the reviewer's queue)."""
    require(actor, "funds.read")
    signed = select(EntrySign.entry_id).where(EntrySign.step == step)
    query = (select(JournalEntry).where(JournalEntry.id.not_in(signed))
             .order_by(JournalEntry.id).limit(limit * 4))
    waiting = f"待{rules.SIGN_STEPS[step]}"
    return [x for x in db.execute(query).scalars() if entry_state(db, x) == waiting][:limit]


# --- balances ------------------------------------------------------------------------------------

def totals(db: Session, fund: str, *, through: int | None = None,
           period: int | None = None) -> dict[int, tuple[int, int]]:
    """Account → (debits, credits) of a fund, up to a period or within one."""
    query = (select(JournalLine.account, func.coalesce(func.sum(JournalLine.debit), 0),
                    func.coalesce(func.sum(JournalLine.credit), 0))
             .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
             .where(JournalEntry.fund == fund).group_by(JournalLine.account))
    if through is not None:
        query = query.where(JournalEntry.period <= through)
    if period is not None:
        query = query.where(JournalEntry.period == period)
    return {int(a): (int(d), int(c)) for a, d, c in db.execute(query)}


def trial_balance(db: Session, actor: Actor, fund: str, period: int) -> dict[str, Any]:
    """试算平衡表: each account's debits, credits and balance up to the end of ``period``."""
    require(actor, "funds.read")
    check_fund(fund)
    names = chart(db)
    sums = totals(db, fund, through=period)
    rows = [{"account": code, "name": name, "class": kind, "class_name": rules.CLASSES[kind],
             "debit": sums.get(code, (0, 0))[0], "credit": sums.get(code, (0, 0))[1],
             "balance": rules.balance(kind, *sums.get(code, (0, 0)))}
            for code, (name, kind) in names.items()]
    debit, credit = sum(r["debit"] for r in rows), sum(r["credit"] for r in rows)
    return {"fund": fund, "fund_name": fund_name(fund), "period": period, "rows": rows,
            "debit": debit, "credit": credit, "balanced": debit == credit}


def bank_balances(db: Session, fund: str, through: int) -> dict[str, int]:
    sums = totals(db, fund, through=through)
    return {kind: rules.balance("asset", *sums.get(code, (0, 0)))
            for kind, code in banks(db).items()}


def entries(db: Session, actor: Actor, *, fund: str | None = None, period: int | None = None,
            limit: int = 200) -> list[JournalEntry]:
    require(actor, "funds.read")
    query = select(JournalEntry).order_by(JournalEntry.id.desc()).limit(limit)
    if fund:
        query = query.where(JournalEntry.fund == check_fund(fund))
    if period:
        query = query.where(JournalEntry.period == period)
    return list(db.execute(query).scalars())


def check_fund(fund: str) -> str:
    if fund not in rules.FUNDS:
        raise InvalidInput("funds.unknown_fund", f"未知的险种基金：{fund}", "fund")
    return fund


# --- month end -----------------------------------------------------------------------------------

def sweep(db: Session, actor: Actor, period: int,
          progress: Callable[[int, int], None] | None = None) -> list[JournalEntry]:
    """月末归集: each fund's income account to its fiscal account, so it ends the month at zero.
    One transaction per fund: a crash leaves the swept funds swept and a rerun does the rest."""
    require(actor, "funds.book")
    check_period(period)
    done = []
    funds = list(rules.FUNDS)
    for n, fund in enumerate(funds, 1):
        left = bank_balances(db, fund, period)["income"]
        if left > 0:
            done.append(book(db, actor, fund=fund, source=f"sweep:{period}:{fund}", kind="sweep",
                             memo=f"{period} 收入户资金归集财政专户 {format_yuan(left)} 元",
                             lines=rules.sweep_lines(banks(db), left)))
        if progress:
            progress(n, len(funds))
    return done


def check_period(period: int) -> int:
    if not (190001 <= period <= 299912 and 1 <= period % 100 <= 12):
        raise InvalidInput("funds.period", "会计期间应为 YYYYMM", "period")
    return period


@transactional
def close_period(db: Session, actor: Actor, fund: str, period: int) -> ClosedPeriod:
    """结账: only after the income account has been swept to zero."""
    require(actor, "funds.book")
    check_fund(fund)
    check_period(period)
    if period >= rules.period_of(clock.today()) and clock.today() < rules.month_end(period):
        raise Conflict("funds.period_open", f"{period} 尚未到月末，不能结账", "period")
    if (left := bank_balances(db, fund, period)["income"]) != 0:
        raise Conflict("funds.income_not_swept",
                       f"{fund_name(fund)}收入户尚有 {format_yuan(left)} 元未归集财政专户，请先归集",
                       "period")
    if closed := db.get(ClosedPeriod, (fund, period)):
        return closed
    closed = ClosedPeriod(fund=fund, period=period, closed_by=actor.username)
    db.add(closed)
    audit.record(db, actor, "funds.close_period", f"fund_period:{fund}:{period}")
    return closed


def backfill(db: Session, actor: Actor,
             progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Book everything the areas wrote before the ledger existed; a second run books nothing."""
    require(actor, "funds.book")
    booked = {}
    for n, (name, book_all) in enumerate(sorted(_sources.items()), 1):
        booked[name] = book_all(db, actor)
        if progress:
            progress(n, len(_sources))
    return booked
