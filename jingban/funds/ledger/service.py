"""The funds ledger (SPEC §9, R§39–§41): every yuan the other areas move is booked here, in the
same transaction as the act that moves it, to the fund of its insurance.

Areas call one ``book_*`` function per event; each is idempotent on the event's ``source``,
so a rerun, a resumed batch or the back-fill never books twice. Entries are append-only; a
wrong one is undone by a reversing entry; manual entries and reversals are high-risk and are
booked only by their case's act (``manual_entry``, ``reverse_entry``). The month end sweeps each income
account to the fiscal account (``sweep``) before the month is closed (``close_period``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.cases import rules as case_rules
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.excel import workbook
from jingban.core.money import format_yuan, parse_yuan
from jingban.funds.ledger import rules
from jingban.funds.ledger.models import ClosedPeriod, EntrySign, JournalEntry, JournalLine
from jingban.funds.ledger.rules import Line
from jingban.funds.ledger.schemas import ManualEntryIn, ReversalIn

MANUAL_ITEM, REVERSAL_ITEM = "FUND-MANUAL", "FUND-REVERSAL"
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
         kind: str = "auto", reverses_id: int | None = None, case_id: int | None = None,
         prepared_by: str | None = None, on: dt.date | None = None) -> JournalEntry:
    """Book one balanced entry to one fund, on ``on`` (today by default, never later), unless
    its source is booked already. ``prepared_by`` is the voucher's preparer (制单) when the
    one booking it is not (a case's final approval books what the accountant prepared)."""
    if earlier := db.execute(select(JournalEntry).where(JournalEntry.source == source)).scalar():
        return earlier
    lines = [x for x in lines if x.debit or x.credit]
    if problem := rules.entry_problem(fund, lines, chart(db)):
        raise InvalidInput(*problem, "fund" if problem[0] == "funds.unknown_fund" else "lines")
    check_receipts(db, fund, lines, reverses_id)
    day = on or clock.today()
    if day > clock.today():
        raise InvalidInput("funds.future_date", "记账日期不能晚于今天", "entry_on")
    period = rules.period_of(day)
    if db.get(ClosedPeriod, (fund, period)):
        raise Conflict("funds.period_closed", f"{fund_name(fund)} {period} 已结账，不能再记账", "period")
    entry = JournalEntry(fund=fund, period=period, entry_on=day, kind=kind, source=source,
                         memo=memo[:300], amount=sum(x.debit for x in lines),
                         reverses_id=reverses_id, case_id=case_id,
                         booked_by=prepared_by or actor.username)
    entry.lines = [JournalLine(account=x.account, debit=x.debit, credit=x.credit) for x in lines]
    db.add(entry)
    db.flush()
    audit.record(db, actor, f"funds.{kind}", f"fund_entry:{entry.id}",
                 after={"fund": fund, "source": source, "amount": entry.amount, "period": period,
                        "booked_by": entry.booked_by, "case_id": case_id,
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


def book_penalty_recovery(db: Session, actor: Actor, fund: str, amount: int, source: str,
                          memo: str, on: dt.date) -> JournalEntry | None:
    """骗取的基金责令退回 (R§55), paid into the fund's income account on ``on`` (Z-13(1) 十个工作日内
    足额缴入社会保险基金收入专户); the fine goes to the fiscal penalty account, not to the fund."""
    if amount <= 0:
        raise InvalidInput("funds.amount", "追回金额应大于0", "amount")
    return book(db, actor, fund=fund, source=source, memo=memo, on=on,
                lines=rules.penalty_recovery_lines(banks(db), amount))


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


def book_subsidy(db: Session, actor: Actor, fund: str, amount: int, source: str,
                 memo: str) -> JournalEntry | None:
    """财政补贴收入 of a collector file: the resident pension's contribution subsidies (政府补贴,
    credited to the persons' accounts with their contributions), one entry per file and fund."""
    return _book_positive(db, actor, fund, source, memo, rules.subsidy_lines, amount)


def book_contribution_reversal(db: Session, actor: Actor, fund: str, amount: int, subsidy: int,
                               source: str, memo: str) -> JournalEntry | None:
    """A contribution reversed through its case (冲正): its share of the contribution income
    (``amount``, employer + personal) and of the fiscal subsidy (``subsidy``) leaves the fund."""
    if amount < 0 or subsidy < 0:
        raise InvalidInput("funds.negative", "冲正金额应为原缴费的正数金额", "amount")
    if amount == subsidy == 0:
        return None
    return book(db, actor, fund=fund, source=source, memo=memo,
                lines=rules.contribution_reversal_lines(banks(db), amount, subsidy))


def check_receipts(db: Session, fund: str, lines: list[Line], reverses_id: int | None) -> None:
    """The expenditure account's rule (rules.expenditure_problem); a reversal is read on the
    entry it reverses instead (rules.mirror_problem): same fund, not a reversal itself, not
    reversed before, and its exact mirror."""
    if reverses_id is None:
        if problem := rules.expenditure_problem(lines, banks(db), _sources_of_expenditure(db)):
            raise InvalidInput("funds.expenditure_source", problem, "lines")
        return
    original = db.get(JournalEntry, reverses_id)
    if original is None:
        raise NotFound("funds.entry_not_found", f"未找到被冲销的记账凭证 {reverses_id}", "reverses_id")
    if original.fund != fund:
        raise InvalidInput("funds.two_funds", f"冲销凭证应记入原凭证的险种基金（{fund_name(original.fund)}）",
                           "fund")
    if problem := rules.reversal_problem(original.kind, reversed_by(db, original.id), None):
        raise Conflict(*problem, "reverses_id")
    if problem := rules.mirror_problem(lines, [Line(x.account, x.debit, x.credit)
                                               for x in original.lines]):
        raise InvalidInput("funds.reversal_mirror", problem, "lines")


# --- manual entries and reversals: only through their case (SPEC §2 high-risk) ---------------

def manual_entry(db: Session, actor: Actor, _key: str | None, data: ManualEntryIn) -> JournalEntry:
    """The act of FUND-MANUAL: the accountant's voucher, booked when the last reviewer
    approves, as prepared by the accountant and approved by that reviewer. At intake the
    engine runs it as the accountant and undoes it, so a bad voucher is refused there."""
    case = _act_case(db, actor, MANUAL_ITEM)
    fund = check_fund(data.fund)
    if not data.memo.strip():
        raise InvalidInput("funds.memo", "手工记账须写明摘要（记账事由）", "memo")
    if (i := rules.fund_problem(fund, [x.fund for x in data.lines])) is not None:
        raise InvalidInput("funds.two_funds", f"一张记账凭证只能记一个险种基金（分险种建账、分账核算）："
                           f"第{i + 1}行为{fund_name(data.lines[i].fund or '')}", f"lines.{i}.fund")
    lines = [Line(x.account, parse_yuan(x.debit, f"lines.{i}.debit"),
                  parse_yuan(x.credit, f"lines.{i}.credit")) for i, x in enumerate(data.lines)]
    entry = book(db, actor, fund=fund, source=f"case:{case.id}", memo=data.memo.strip(),
                 lines=lines, kind="manual", case_id=case.id, prepared_by=case.intake_by,
                 on=data.entry_on)
    return _approved(db, actor, entry)


def reverse_entry(db: Session, actor: Actor, _key: str | None, data: ReversalIn) -> JournalEntry:
    """The act of FUND-REVERSAL (冲销): a new entry with every line on the other side, pointing
    at the one it undoes; booked on the reviewer's final approval, as the accountant's voucher."""
    case = _act_case(db, actor, REVERSAL_ITEM)
    entry = db.get(JournalEntry, data.entry_id, with_for_update=True)
    if entry is None:
        raise NotFound("funds.entry_not_found", f"未找到记账凭证 {data.entry_id}", "entry_id")
    if not data.reason.strip():
        raise InvalidInput("funds.reason", "冲销须写明理由", "reason")
    if problem := rules.reversal_problem(entry.kind, reversed_by(db, entry.id),
                                         open_reversal(db, entry.id, but=case.id)):
        raise Conflict(*problem, "entry_id")
    lines = rules.reversal_lines([Line(x.account, x.debit, x.credit) for x in entry.lines])
    reversal = book(db, actor, fund=entry.fund, source=f"reversal:{entry.id}", kind="reversal",
                    memo=f"冲销凭证 {entry.id}：{data.reason.strip()}", lines=lines,
                    reverses_id=entry.id, case_id=case.id, prepared_by=case.intake_by)
    return _approved(db, actor, reversal)


def _act_case(db: Session, actor: Actor, item_code: str) -> Case:
    """The open case of ``item_code`` this act runs for (the engine sets it on the actor): the
    act is the one way to a manual entry or a reversal. At final approval (channel "case") every
    level must be done and the approver holds funds.approve; at intake the accountant books."""
    case = db.get(Case, actor.case_id) if actor.case_id else None
    final = actor.channel == "case"
    if (case is None or case.item_code != item_code or case.status not in case_rules.OPEN
            or (final and case.levels_done < case.levels_required)):
        raise Conflict("funds.case_required",
                       "手工记账和冲销是高风险业务，须由会计受理业务件、经三级审核后记账", "case_id")
    require(actor, "funds.approve" if final else "funds.book")
    return case


def _approved(db: Session, actor: Actor, entry: JournalEntry) -> JournalEntry:
    """The final reviewer's approval is the voucher's 复核审批 signature."""
    if actor.channel == "case":
        sign(db, actor, entry.id, "approve")
    return entry


def reversed_by(db: Session, entry_id: int) -> int | None:
    return db.execute(select(JournalEntry.id).where(JournalEntry.reverses_id == entry_id)).scalar()


def open_reversal(db: Session, entry_id: int, but: int | None = None) -> int | None:
    """The open reversal case of an entry (its subject while open), other than ``but``."""
    query = select(Case.id).where(Case.item_code == REVERSAL_ITEM,
                                  Case.subject == f"fund_entry:{entry_id}",
                                  Case.status.in_(case_rules.OPEN))
    if but is not None:
        query = query.where(Case.id != but)
    return db.execute(query.order_by(Case.id)).scalars().first()


def open_manual(db: Session, actor: Actor, data: ManualEntryIn) -> Case:
    """手工记账: the accountant opens FUND-MANUAL; the voucher is checked now and booked on
    final approval."""
    return cases.submit(db, actor, MANUAL_ITEM, data.model_dump(mode="json", exclude_none=True))


def open_reversal_case(db: Session, actor: Actor, data: ReversalIn) -> Case:
    """冲销: the accountant opens FUND-REVERSAL for an entry, with the reason."""
    return cases.submit(db, actor, REVERSAL_ITEM, data.model_dump(mode="json"))


def entry_subject(entry: JournalEntry) -> str:
    return f"fund_entry:{entry.id}"


def manual_applicant(db: Session, data: ManualEntryIn) -> tuple[str | None, str, str]:
    """An agency's own case: its applicant is the fund (no person is told)."""
    return None, f"FUND:{data.fund}"[:40], fund_name(data.fund)


def reversal_applicant(db: Session, data: ReversalIn) -> tuple[str | None, str, str]:
    """While open, a reversal case is about the entry it reverses."""
    entry = db.get(JournalEntry, data.entry_id)
    fund = entry.fund if entry else ""
    return f"fund_entry:{data.entry_id}", f"FUND:{fund}"[:40], fund_name(fund)


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


def states(db: Session, found: list[JournalEntry]) -> dict[int, str]:
    """Entry id → state code (rules.STATES) of many entries, their signatures read at once."""
    signed: dict[int, dict[str, str]] = {x.id: {} for x in found}
    for ids in (list(signed)[i:i + 500] for i in range(0, len(signed), 500)):
        rows = db.execute(select(EntrySign.entry_id, EntrySign.step, EntrySign.username)
                          .where(EntrySign.entry_id.in_(ids)))
        for entry_id, step, username in rows:
            signed[entry_id][step] = username
    accounts = banks(db)
    return {x.id: rules.state_code(rules.steps_needed(x.kind, {a.account for a in x.lines}, accounts),
                                   signed[x.id]) for x in found}


def unconfirmed(db: Session, source_prefix: str) -> list[JournalEntry]:
    """Entries whose source starts with ``source_prefix`` and that still wait for a signature
    (the payroll bank file is released only when none is left)."""
    found = list(db.execute(select(JournalEntry)
                            .where(JournalEntry.source.startswith(source_prefix, autoescape=True))
                            .order_by(JournalEntry.id)).scalars())
    state = states(db, found)
    return [x for x in found if state[x.id] != "done"]


def awaiting(db: Session, actor: Actor, step: str, limit: int = 200) -> list[JournalEntry]:
    """The vouchers waiting for ``step``: the cashier's queue (confirm), the reviewers' (approve,
    vouchers prepared before approval went through a case)."""
    require(actor, "funds.read")
    if step not in rules.SIGN_STEPS:
        raise InvalidInput("funds.step", "步骤应为 confirm（出纳确认）或 approve（复核审批）", "step")
    return entries(db, actor, state=f"awaiting_{step}", limit=limit, oldest_first=True)


def review_queue(db: Session, actor: Actor) -> list[Case]:
    """The reviewer's open manual-entry and reversal cases at a level he may decide."""
    require(actor, "funds.read")
    if not can(actor, "cases.review"):
        return []
    return [c for c in cases.queue(db, actor) if c.item_code in (MANUAL_ITEM, REVERSAL_ITEM)]


def prepared_cases(db: Session, actor: Actor) -> list[Case]:
    """The accountant's own open manual-entry and reversal cases (returned ones to resubmit)."""
    require(actor, "funds.read")
    query = (select(Case).where(Case.item_code.in_([MANUAL_ITEM, REVERSAL_ITEM]),
                                Case.intake_by == actor.username, Case.status.in_(case_rules.OPEN))
             .order_by(Case.id))
    return list(db.execute(query).scalars())


def entry_view(db: Session, actor: Actor, entry_id: int) -> dict[str, Any]:
    """One voucher as staff read it: lines with account names, signatures, state, what it
    reverses or is reversed by, its case and any open reversal case."""
    require(actor, "funds.read")
    entry = db.get(JournalEntry, entry_id)
    if entry is None:
        raise NotFound("funds.entry_not_found", f"未找到记账凭证 {entry_id}", "entry_id")
    names = chart(db)
    signed = db.execute(select(EntrySign).where(EntrySign.entry_id == entry.id)
                        .order_by(EntrySign.signed_at)).scalars()
    state = states(db, [entry])[entry.id]
    return {"entry": entry, "fund_name": fund_name(entry.fund), "state": state,
            "state_name": rules.STATES[state], "needed": steps_needed(db, entry),
            "lines": [{"account": x.account, "name": names.get(x.account, ("", ""))[0],
                       "debit": x.debit, "credit": x.credit} for x in entry.lines],
            "signatures": [{"step": x.step, "step_name": rules.SIGN_STEPS[x.step],
                            "username": x.username, "signed_at": x.signed_at} for x in signed],
            "reversed_by": reversed_by(db, entry.id), "reversal_case": open_reversal(db, entry.id),
            "case_numbers": _case_numbers(db, [entry.case_id, open_reversal(db, entry.id)])}


def _case_numbers(db: Session, ids: list[int | None]) -> dict[int, str]:
    """业务件编号 of the voucher's cases, as the staff know them (the id where none is given)."""
    wanted = [x for x in ids if x]
    found = dict(db.execute(select(Case.id, Case.number).where(Case.id.in_(wanted))).all())
    return {x: found.get(x) or str(x) for x in wanted}


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
    check_period(period)
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
            kind: str | None = None, state: str | None = None, limit: int = 200,
            oldest_first: bool = False) -> list[JournalEntry]:
    """记账凭证 newest first (or oldest first for a queue), filtered; the state is the
    signatures' (rules.STATES)."""
    require(actor, "funds.read")
    if kind and kind not in rules.ENTRY_KINDS:
        raise InvalidInput("funds.kind", f"未知的凭证类型：{kind}", "kind")
    if state and state not in rules.STATES:
        raise InvalidInput("funds.state", f"未知的凭证状态：{state}", "state")
    query = select(JournalEntry).order_by(JournalEntry.id if oldest_first else JournalEntry.id.desc())
    if fund:
        query = query.where(JournalEntry.fund == check_fund(fund))
    if period:
        query = query.where(JournalEntry.period == check_period(period))
    if kind:
        query = query.where(JournalEntry.kind == kind)
    if state is None:
        return list(db.execute(query.limit(limit)).scalars())
    if state.startswith("awaiting_"):
        signed = select(EntrySign.entry_id).where(EntrySign.step == state.removeprefix("awaiting_"))
        query = query.where(JournalEntry.id.not_in(signed))
    found: list[JournalEntry] = []
    offset, page_size = 0, 500
    while len(found) < limit:  # the state is the signatures': read page by page
        page = list(db.execute(query.offset(offset).limit(page_size)).scalars())
        wanted = states(db, page)
        found += [x for x in page if wanted[x.id] == state]
        if len(page) < page_size:
            break
        offset += page_size
    return found[:limit]


def entries_xlsx(db: Session, actor: Actor, **filters: Any) -> bytes:
    found = entries(db, actor, **filters, limit=5000)
    state = states(db, found)
    rows = [(x.id, fund_name(x.fund), x.period, x.entry_on.isoformat(), rules.ENTRY_KINDS[x.kind],
             x.memo, x.amount, x.booked_by, rules.STATES[state[x.id]], x.reverses_id or "",
             x.case_id or "") for x in found]
    return workbook("记账凭证", ["凭证号", "险种基金", "期间", "记账日期", "类型", "摘要", "金额（元）",
                              "制单", "状态", "冲销凭证", "业务件"], rows, money=[6])


def trial_balance_xlsx(db: Session, actor: Actor, fund: str, period: int) -> bytes:
    shown = trial_balance(db, actor, fund, period)
    rows = [(r["account"], r["name"], r["class_name"], r["debit"], r["credit"], r["balance"])
            for r in shown["rows"]]
    rows.append(("合计", "", "", shown["debit"], shown["credit"], ""))
    return workbook(f"试算平衡{period}", ["科目编码", "科目名称", "类别", "借方累计（元）", "贷方累计（元）",
                                      "余额（元）"], rows, money=[3, 4, 5])


def check_fund(fund: str) -> str:
    if fund not in rules.FUNDS:
        raise InvalidInput("funds.unknown_fund", f"未知的险种基金：{fund}", "fund")
    return fund


# --- month end -----------------------------------------------------------------------------------

def sweep(db: Session, actor: Actor, period: int,
          progress: Callable[[int, int], None] | None = None) -> list[JournalEntry]:
    """月末归集 (Z-10(5)): each fund's income account to its fiscal account, so it ends the
    month at zero; booked on the month's last day (today while the month runs). One transaction
    per fund: a crash leaves the swept funds swept and a rerun does the rest; a rerun after
    that finds nothing left and books nothing."""
    require(actor, "funds.book")
    if check_period(period) > rules.period_of(clock.today()):
        raise InvalidInput("funds.period_future", f"{period} 尚未开始，不能归集", "period")
    day = min(clock.today(), rules.month_end(period))
    done = []
    funds = list(rules.FUNDS)
    for n, fund in enumerate(funds, 1):
        left = bank_balances(db, fund, period)["income"]
        if left:
            memo = (f"{period} 收入户资金归集财政专户 {format_yuan(left)} 元" if left > 0 else
                    f"{period} 财政专户拨补收入户退付 {format_yuan(-left)} 元")
            done.append(book(db, actor, fund=fund, source=_sweep_source(db, fund, period),
                             kind="sweep", on=day, lines=rules.sweep_lines(banks(db), left),
                             memo=memo))
        if progress:
            progress(n, len(funds))
    return done


def _sweep_source(db: Session, fund: str, period: int) -> str:
    """The first sweep of a month is ``sweep:<period>:<fund>``; income booked into the month
    after it (a late file on the last day) is swept by a numbered second one."""
    base = f"sweep:{period}:{fund}"
    count = db.execute(select(func.count()).select_from(JournalEntry)
                       .where(JournalEntry.kind == "sweep", JournalEntry.fund == fund,
                              JournalEntry.period == period)).scalar_one()
    return base if count == 0 else f"{base}:{count + 1}"


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


def book_settlement(db: Session, actor: Actor, fund: str, amount: int, source: str,  # claims
                    memo: str, case_id: int | None = None) -> JournalEntry | None:
    """定点医药机构月度结算的基金支付, paid from the expenditure account (one entry per settlement)."""
    if amount <= 0:
        return None
    return book(db, actor, fund=fund, source=source, memo=memo, case_id=case_id,
                lines=rules.settlement_lines(banks(db), amount))


def book_breach_recovery(db: Session, actor: Actor, fund: str, amount: int, source: str,  # agrfin
                         memo: str, on: dt.date, case_id: int | None = None) -> JournalEntry:
    """违约追回的医保（工伤）费用 (R§43) paid back by a service institution into the fund's income
    account on ``on``: 借 收入户存款，贷 其他收入 (as any money recovered)."""
    if amount <= 0:
        raise InvalidInput("funds.amount", "追回金额应大于0", "amount")
    return book(db, actor, fund=fund, source=source, memo=memo, on=on, case_id=case_id,
                lines=rules.recovery_lines(banks(db), amount))
