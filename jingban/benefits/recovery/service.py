"""Overpayment recovery (多领待遇追回, R§46): the order to return, instalment agreements,
repayments, offsets from the individual account, the ledger per person, and the sweep that finds
broken agreements (escalation notice and a credit record, R§45).

Deductions from later benefits are made by the monthly payroll (benefits.payroll.batch): every debt
still being recovered (``rules.DEBTS_RECOVERING``: open, agreement, and defaulted too — a default
escalates, it does not stop the recovery) is deducted from, up to
``benefits.recovery.deduction_cap_ratio`` of each payment, as ``deduction`` entries of the same
ledger.

A debtor who has died is never defaulted nor given a credit record (a default is a refusal to
return, D§43(三), which a dead person cannot commit): the debt stays open and is pursued from the
heirs (the estate), the account balance or a survivor benefit (R§46). Every notice about such a
debt goes to whoever reported the death (the relatives), never to the deceased.

An offset from the individual account is a high-risk act: it runs only on final approval of a
BEN-ACCOUNT-OFFSET case (two review levels, a stated reason; SPEC §2 internal control).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, AwardEvent, StopReport
from jingban.benefits.recovery import rules
from jingban.benefits.recovery.models import Debt, DebtAgreement, DebtEntry, Instalment, Refund
from jingban.benefits.recovery.schemas import (
    AccountOffsetCaseIn,
    AccountOffsetIn,
    AccountOffsetRequest,
    AgreementIn,
    RepaymentIn,
)
from jingban.cases import service as cases
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import format_yuan, parse_yuan
from jingban.core.workdays import Due, due_label
from jingban.funds.ledger import service as fund_ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.notices.models import Notification
from jingban.notices.service import notify
from jingban.oversight import service as oversight
from jingban.oversight.schemas import CreditIn
from jingban.records import service as records
from jingban.registration.models import Person
from jingban.registration.service import find_person, person_subject

audit.ACT_NAMES.update({
    "benefits.order_recovery": "责令退回多领待遇",
    "benefits.instalment_agreement": "签订还款协议",
    "benefits.record_repayment": "登记退回款",
    "benefits.account_offset": "个人账户余额抵扣多领待遇",
    "benefits.cancel_recovery": "撤销追回（原停发依据有误）",
    "benefits.recovery_sweep": "追回款履约检查",
})

DEBT_STATUS = {"open": "待退回", "agreement": "分期还款中", "settled": "已结清", "defaulted": "违约待追缴"}
ENTRY_KINDS = {"order": "责令退回", "repayment": "退回", "deduction": "待遇抵扣", "account": "个人账户抵扣",
               "cancel": "撤销追回", "refund": "退还已追回款"}
OPEN = rules.DEBTS_RECOVERING
OFFSET_ITEM = "BEN-ACCOUNT-OFFSET"
MAX_ID = 2**31 - 1


def debt_subject(debt: Debt) -> str:
    return f"benefit_debt:{debt.id}"


def _require(actor: Actor) -> None:
    """Clerks and accountants; a stop from a feed or an approved case orders back on its word."""
    by_channel = {"feed": "sharing.upload", "case": "cases.act"}
    require(actor, by_channel.get(actor.channel, "benefits.recovery"))


# --- who hears about a debt -----------------------------------------------------------------------

def deceased(db: Session, person: Person) -> bool:
    """Registered as dead, or with a death (or declaration of death) reported against him."""
    if person.status == "deceased":
        return True
    return db.execute(select(StopReport.id).where(StopReport.person_id == person.id,
                                                  StopReport.reason.in_(common_rules.DEATH_REASONS))
                      .limit(1)).first() is not None


def heirs_recipient(person: Person) -> str:
    """The notice key of a deceased person's heirs (there is no portal account to name)."""
    return f"heirs:{person.ssn}"


def heirs_contact(db: Session, person: Person) -> tuple[str, str]:
    """(name, phone) of whoever reported the death — a relative or the employer; the latest
    report with a phone first (a feed's report has none)."""
    found = db.execute(select(StopReport).where(StopReport.person_id == person.id,
                                                StopReport.reason.in_(common_rules.DEATH_REASONS))
                       .order_by(StopReport.id.desc())).scalars().all()
    for report in found:
        if report.reporter_phone:
            return report.reporter_name, report.reporter_phone
    named = next((r for r in found if r.source != "feed" and r.reporter_name), None)
    return (named.reporter_name if named else ""), ""


def tell(db: Session, person: Person, kind: str, message: str, phone: str = "") -> Notification:
    """A notice about a person's benefit or debt: to the person, or, the person having died,
    to the relatives who reported the death (by SMS when their phone is known) — never to the
    deceased."""
    if not deceased(db, person):
        return notify(db, person.ssn, kind, message, phone=phone or person.phone)
    name, reported = heirs_contact(db, person)
    to = f"{name}：" if name else "已故参保人的继承人或近亲属："
    return notify(db, heirs_recipient(person), kind,
                  f"{to}关于已故参保人{person.name}（社会保障号码{person.ssn}）：{message}",
                  phone=phone or reported)


def _debt(db: Session, debt_id: int, *, lock: bool = True) -> Debt:
    stmt = select(Debt).where(Debt.id == debt_id)
    found = db.execute(stmt.with_for_update() if lock else stmt).scalar() \
        if 0 < debt_id <= MAX_ID else None
    if found is None:
        raise NotFound("recovery.not_found", f"未找到追回款 {debt_id}", "debt_id")
    return found


def balance(db: Session, debt_id: int) -> int:
    """What is still owed: the order less every repayment, deduction and offset (fen)."""
    total = db.execute(select(func.coalesce(func.sum(DebtEntry.amount), 0))
                       .where(DebtEntry.debt_id == debt_id)).scalar()
    return int(total or 0)


def _instalments(db: Session, debt_id: int) -> list[Instalment]:
    return list(db.execute(select(Instalment).where(Instalment.debt_id == debt_id)
                           .order_by(Instalment.seq)).scalars())


def _refresh(db: Session, debt: Debt) -> int:
    """After money came in: instalments show what they have received (in order; deductions
    by the payroll count too), and a debt with nothing left is settled. The balance."""
    left = balance(db, debt.id)
    plan = _instalments(db, debt.id)
    if plan:
        covered = sum(i.amount for i in plan) - left
        for item, paid in zip(plan, rules.allocate([i.amount for i in plan], covered), strict=True):
            item.paid = paid
    if left <= 0 and debt.status in OPEN:
        debt.status = "settled"
    return left


# --- the order (责令退回) -----------------------------------------------------------------------

@transactional
def order_overpayment(db: Session, actor: Actor, person: Person, award: Award, event: AwardEvent,
                      months: list[int], total: int, phone: str = "") -> Debt:
    """Order back what was paid for months after the right ended (R§46), with a due date and a
    notice; one debt per award event (a rerun of the stop orders nothing twice)."""
    _require(actor)
    reason = (f"{common_rules.STOP_REASONS[event.reason][1]}后多发待遇："
              f"{_label(months[0])}至{_label(months[-1])}，共{len(months)}个月")
    return _order(db, actor, person, award, f"award_event:{event.id}", reason, months, total, phone)


@transactional
def order_difference(db: Session, actor: Actor, person: Person, award: Award, months: list[int],
                     total: int) -> Debt:
    """A re-determination lowered the amount of months already paid: the difference is
    ordered back (R§46), one debt per new award."""
    _require(actor)
    reason = (f"重新核定后多发待遇差额：{_label(months[0])}至{_label(months[-1])}，"
              f"共{len(months)}个月")
    return _order(db, actor, person, award, f"redetermination:{award.id}", reason, months, total)


def _order(db: Session, actor: Actor, person: Person, award: Award, source_ref: str, reason: str,
           months: list[int], total: int, phone: str = "") -> Debt:
    if earlier := db.execute(select(Debt).where(Debt.award_id == award.id,
                                                Debt.source_ref == source_ref)).scalar():
        return earlier
    today = clock.today()
    due = agency.due_date(db, today, agency.param(db, "benefits.recovery.repay_wd", today))
    debt = Debt(person_id=person.id, award_id=award.id, reason=reason, first_period=months[0],
                last_period=months[-1], principal=total, status="open", ordered_on=today,
                due_on=due.due, due_provisional=due.provisional, source_ref=source_ref)
    db.add(debt)
    db.flush()
    db.add(DebtEntry(debt_id=debt.id, kind="order", amount=total, entry_on=today,
                     reference=source_ref, recorded_by=actor.username))
    db.flush()
    notice = (f"经核实，{reason}，金额{format_yuan(total)}元。请于{due.label}前一次性退回；确有困难的，"
              "可到经办机构签订还款协议分期退回，也可从后续待遇或个人账户余额中抵扣（《社会保险经办条例》第四十六条）。")
    tell(db, person, "recovery", notice, phone)
    audit.record(db, actor, "benefits.order_recovery", person_subject(person),
                 after=snapshot(debt), related=debt_subject(debt), reason=reason)
    return debt


def _label(period: int) -> str:
    return f"{period // 100}年{period % 100}月"


RECOVERED = ("repayment", "deduction", "account")


@transactional
def cancel_for_event(db: Session, actor: Actor, award_id: int, event_id: int, reason: str) -> int:
    """The stop that ordered money back was wrong (a wrong match): the order is cancelled in
    full (a ``cancel`` entry of minus the principal still standing) and whatever had already
    been recovered — repayments, deductions, account offsets — is paid back: a ``refund``
    entry of the same amount and one Refund record. A debt already cancelled is left alone,
    so nothing is refunded twice. Debts cancelled."""
    _require(actor)
    debts = db.execute(select(Debt).where(Debt.award_id == award_id,
                                          Debt.source_ref == f"award_event:{event_id}")
                       .order_by(Debt.id).with_for_update()).scalars().all()
    done = 0
    for debt in debts:
        kinds = dict(db.execute(select(DebtEntry.kind, func.sum(DebtEntry.amount))
                                .where(DebtEntry.debt_id == debt.id).group_by(DebtEntry.kind)).all())
        if "cancel" in kinds:
            continue
        recovered = -sum(int(kinds.get(kind) or 0) for kind in RECOVERED)
        left = balance(db, debt.id)
        if left + recovered > 0:
            db.add(DebtEntry(debt_id=debt.id, kind="cancel", amount=-(left + recovered),
                             entry_on=clock.today(), reference=reason[:64], recorded_by=actor.username))
        refund = _refund(db, actor, debt, recovered, reason) if recovered > 0 else None
        db.flush()
        debt.status = "settled"
        audit.record(db, actor, "benefits.cancel_recovery", debt_subject(debt),
                     after={"cancelled": left + recovered, "refunded": recovered,
                            "refund": refund.id if refund else None}, reason=reason)
        done += 1
    return done


def _refund(db: Session, actor: Actor, debt: Debt, amount: int, reason: str) -> Refund:
    """退还: paid back to the award's account by the next payroll run (pending until then,
    run_id NULL); the ledger shows it as a positive entry."""
    today = clock.today()
    award = db.get(Award, debt.award_id) if debt.award_id else None
    refund = Refund(debt_id=debt.id, person_id=debt.person_id, amount=amount,
                    bank_account=award.bank_account if award else "", reason=reason[:200],
                    paid_on=today, recorded_by=actor.username)
    db.add(refund)
    db.flush()
    db.add(DebtEntry(debt_id=debt.id, kind="refund", amount=amount, entry_on=today,
                     reference=f"refund:{refund.id}", recorded_by=actor.username))
    person = db.get(Person, debt.person_id)
    tell(db, person, "recovery", f"经核实，原停发依据有误，已撤销多领待遇追回（{debt.reason}），"
                                 f"已追回的{format_yuan(amount)}元将随下次待遇发放退还至待遇发放账户。")
    return refund


# --- agreement, repayment, account offset -------------------------------------------------------

@transactional
def agree_instalments(db: Session, actor: Actor, debt_id: int, data: AgreementIn) -> Debt:
    """还款协议: the balance in monthly instalments that add up to it exactly (R§46)."""
    require(actor, "benefits.recovery")
    debt = _debt(db, debt_id)
    if debt.status != "open":
        raise Conflict("recovery.status", f"该追回款状态为“{DEBT_STATUS[debt.status]}”，不能签订还款协议",
                       "debt_id")
    today = clock.today()
    left = balance(db, debt.id)
    most = agency.param(db, "benefits.recovery.max_instalments", today)
    if problem := rules.agreement_problem(left, data.instalments, most):
        raise InvalidInput("recovery.agreement", problem, "instalments")
    if not today <= data.first_due <= today + dt.timedelta(days=366):
        raise InvalidInput("recovery.first_due", "第一期还款日应在今天起一年以内", "first_due")
    plan = rules.instalment_schedule(left, data.instalments, data.first_due)
    db.add_all(Instalment(debt_id=debt.id, seq=seq, due_on=due, amount=amount, paid=0)
               for seq, due, amount in plan)
    db.add(DebtAgreement(debt_id=debt.id, signed_by=data.signed_by, signed_on=today,
                         instalments=data.instalments, total=left, recorded_by=actor.username))
    debt.status = "agreement"
    db.flush()
    person = db.get(Person, debt.person_id)
    late = ("逾期未还的将依法从遗产中追缴。" if deceased(db, person)
            else "逾期未还的视为未履约，将依法追缴并记入失信记录。")
    tell(db, person, "recovery", f"还款协议已签订：{format_yuan(left)}元分{data.instalments}期退回，"
                                 f"第一期{format_yuan(plan[0][2])}元于{plan[0][1]}前缴纳，"
                                 f"最后一期于{plan[-1][1]}前缴纳。" + late)
    audit.record(db, actor, "benefits.instalment_agreement", debt_subject(debt),
                 after={"signed_by": data.signed_by, "total": left,
                        "plan": [[s, d.isoformat(), a] for s, d, a in plan]},
                 related=person_subject(person))
    return debt


@transactional
def record_repayment(db: Session, actor: Actor, debt_id: int, data: RepaymentIn) -> DebtEntry:
    """退回款: money the debtor paid back, against the first instalment not yet covered."""
    require(actor, "benefits.recovery")
    debt = _debt(db, debt_id)
    if debt.status not in OPEN:
        raise Conflict("recovery.settled", "该追回款已结清", "debt_id")
    amount = parse_yuan(data.amount, "amount")
    paid_on = data.paid_on or clock.today()
    if paid_on > clock.today() or paid_on < debt.ordered_on:
        raise InvalidInput("recovery.paid_on", "还款日期须在责令退回之日与今天之间", "paid_on")
    left = balance(db, debt.id)
    if amount > left:
        raise InvalidInput("recovery.too_much", f"还款金额超过欠款余额（{format_yuan(left)}元）", "amount")
    _refresh(db, debt)
    current = next((i for i in _instalments(db, debt.id) if i.paid < i.amount), None)
    entry = DebtEntry(debt_id=debt.id, kind="repayment", amount=-amount, entry_on=paid_on,
                      instalment_id=current.id if current else None, reference=data.reference,
                      recorded_by=actor.username)
    db.add(entry)
    db.flush()
    _book_repayment(db, actor, debt, entry)
    left = _refresh(db, debt)
    audit.record(db, actor, "benefits.record_repayment", debt_subject(debt),
                 after={**snapshot(entry), "balance": left, "status": debt.status},
                 reason=data.reference)
    return entry


def _book_repayment(db: Session, actor: Actor, debt: Debt, entry: DebtEntry) -> None:
    """The money repaid enters the fund that overpaid it (SPEC §9), with the repayment."""
    award = db.get(Award, debt.award_id) if debt.award_id else None
    fund_ledger.book_recovery(db, actor, common_rules.fund_of(award.kind if award else None),
                              -entry.amount, f"repayment:{entry.id}",
                              f"追回多领待遇还款（追回款 {debt.id}）{format_yuan(-entry.amount)} 元"
                              + (f"，{entry.reference}" if entry.reference else ""))


def book_all_repayments(db: Session, actor: Actor) -> int:
    """Back-fill: repayments recorded before the ledger existed; a second run books none."""
    booked = set(db.execute(select(JournalEntry.source)
                            .where(JournalEntry.source.startswith("repayment:"))).scalars())
    found = db.execute(select(DebtEntry, Debt).join(Debt, Debt.id == DebtEntry.debt_id)
                       .where(DebtEntry.kind == "repayment").order_by(DebtEntry.id)).all()
    missing = [(entry, debt) for entry, debt in found if f"repayment:{entry.id}" not in booked]
    for entry, debt in missing:
        _book_repayment(db, actor, debt, entry)
    return len(missing)


def offset_from_account(db: Session, actor: Actor, debt_id: int, data: AccountOffsetIn) -> DebtEntry:
    """从个人账户余额中抵扣 is high-risk (SPEC §2 internal control): it is applied for as a
    BEN-ACCOUNT-OFFSET case with a reason and runs on the case's final approval
    (``account_offset``); asked for directly, it is refused with where to go instead."""
    raise Conflict("recovery.offset_needs_case",
                   "个人账户余额抵扣属高风险业务，须填写理由、以“个人账户余额抵扣多领待遇”业务件"
                   f"（{OFFSET_ITEM}）受理，经两级复核通过后办理", "debt_id")


def apply_offset(db: Session, actor: Actor, debt_id: int, data: AccountOffsetRequest):
    """The clerk's application for an offset: a BEN-ACCOUNT-OFFSET case for the debtor, with
    the reason (checked at intake by the case engine's dry run). The case."""
    debt = _debt(db, debt_id, lock=False)
    person = db.get(Person, debt.person_id)
    payload = {"ssn": person.ssn, "debt_id": debt.id, "scheme": data.scheme, "reason": data.reason,
               **({"amount": str(data.amount)} if data.amount is not None else {})}
    return cases.submit(db, actor, OFFSET_ITEM, payload)


@transactional
def account_offset(db: Session, actor: Actor, ssn: str, data: AccountOffsetCaseIn) -> Person:
    """The act of BEN-ACCOUNT-OFFSET (R§46): an account entry through the records service and
    the same amount off the debt; by default as much as both allow, never more than the
    balance of either. Runs on final approval (the clerk's dry run at intake checks it)."""
    require(actor, "cases.act" if actor.channel == "case" else "cases.intake")
    person = find_person(db, ssn)
    debt = _debt(db, data.debt_id)
    if debt.person_id != person.id:
        raise InvalidInput("recovery.other_person", "该追回款不属于该参保人", "debt_id")
    if debt.status not in OPEN:
        raise Conflict("recovery.settled", "该追回款已结清", "debt_id")
    left = balance(db, debt.id)
    available = records.account_balance(db, person.id, data.scheme)
    amount = min(left, available) if data.amount is None else parse_yuan(data.amount, "amount")
    if amount <= 0 or available <= 0:
        raise Conflict("recovery.no_balance", "个人账户没有可抵扣的余额", "scheme")
    if amount > left:
        raise InvalidInput("recovery.too_much", f"抵扣金额超过欠款余额（{format_yuan(left)}元）", "amount")
    if amount > available:
        raise InvalidInput("recovery.account_short",
                           f"抵扣金额超过个人账户余额（{format_yuan(available)}元）", "amount")
    account_entry = records.recovery_offset(db, actor, person, data.scheme, amount,
                                            debt_subject(debt))
    entry = DebtEntry(debt_id=debt.id, kind="account", amount=-amount, entry_on=clock.today(),
                      reference=f"account_entry:{account_entry.id}", recorded_by=actor.username)
    db.add(entry)
    db.flush()
    left = _refresh(db, debt)
    audit.record(db, actor, "benefits.account_offset", debt_subject(debt),
                 after={**snapshot(entry), "balance": left, "status": debt.status,
                        "case_id": actor.case_id},
                 related=person_subject(person), reason=data.reason)
    return person


# --- the ledger ---------------------------------------------------------------------------------

def ledger(db: Session, actor: Actor, ssn: str) -> dict[str, Any]:
    """追回台账 of a person: every debt with its entries, instalments and balance. Staff, or the
    person in the portal."""
    person = find_person(db, ssn)
    if actor.subject != person_subject(person):
        require(actor, "benefits.read")
        audit.log_access(db, actor, person_subject(person), "recovery")
    debts = db.execute(select(Debt).where(Debt.person_id == person.id).order_by(Debt.id)).scalars()
    lines = [_debt_line(db, d) for d in debts]
    return {"ssn": person.ssn, "name": person.name, "debts": lines,
            "balance": sum(line["balance"] for line in lines)}


def _debt_line(db: Session, debt: Debt) -> dict[str, Any]:
    entries = list(db.execute(select(DebtEntry).where(DebtEntry.debt_id == debt.id)
                              .order_by(DebtEntry.entry_on, DebtEntry.id)).scalars())
    left = sum(e.amount for e in entries)
    plan = _instalments(db, debt.id)
    covered = sum(i.amount for i in plan) - left
    paid = rules.allocate([i.amount for i in plan], covered)
    agreement = db.execute(select(DebtAgreement).where(DebtAgreement.debt_id == debt.id)).scalar()
    return {"debt": debt, "balance": left, "status_name": DEBT_STATUS.get(debt.status, debt.status),
            "entries": entries, "agreement": agreement,
            "instalments": [{"seq": i.seq, "due_on": i.due_on, "amount": i.amount, "paid": p}
                            for i, p in zip(plan, paid, strict=True)]}


# --- the sweep ------------------------------------------------------------------------------------

def grace_cutoff(db: Session, today: dt.date) -> dt.date:
    """The last due date whose grace period (working days) has fully passed before today."""
    grace = agency.param(db, "benefits.recovery.grace_wd", today)
    day = today - dt.timedelta(days=1)
    while agency.due_date(db, day, grace).due >= today:
        day -= dt.timedelta(days=1)
    return day


def _defaulters(db: Session, cutoff: dt.date) -> list[int]:
    """Debts under an agreement whose instalments due by ``cutoff`` exceed what was paid."""
    due = (select(func.coalesce(func.sum(Instalment.amount), 0))
           .where(Instalment.debt_id == Debt.id, Instalment.due_on <= cutoff).scalar_subquery())
    total = (select(func.coalesce(func.sum(Instalment.amount), 0))
             .where(Instalment.debt_id == Debt.id).scalar_subquery())
    left = (select(func.coalesce(func.sum(DebtEntry.amount), 0))
            .where(DebtEntry.debt_id == Debt.id).scalar_subquery())
    stmt = select(Debt.id).where(Debt.status == "agreement", due > total - left).order_by(Debt.id)
    return list(db.execute(stmt).scalars())


def _overdue_orders(db: Session, today: dt.date) -> list[Debt]:
    """Debts ordered back without an agreement, past their due date, with money owed, of
    persons with no award in force: while an award is paid the payroll keeps deducting, which
    is recovery under way, not a breach. (A deceased debtor's are among them; the sweep only
    reminds his heirs of those, see ``_dead``.)"""
    left = (select(func.coalesce(func.sum(DebtEntry.amount), 0))
            .where(DebtEntry.debt_id == Debt.id).scalar_subquery())
    paid_on = select(Award.id).where(Award.person_id == Debt.person_id, Award.status == "active")
    return list(db.execute(select(Debt).where(Debt.status == "open", Debt.due_on < today, left > 0,
                                              ~paid_on.exists())
                           .order_by(Debt.id).with_for_update()).scalars())


def _reminded(db: Session, debts: list[Debt]) -> set[str]:
    kinds = [reminder_kind(d) for d in debts]
    return set(db.execute(select(Notification.kind).where(Notification.kind.in_(kinds))).scalars()) \
        if kinds else set()


def reminder_kind(debt: Debt) -> str:
    return f"recovery_due:{debt.id}"


def _dead(db: Session, debt_ids: list[int]) -> set[int]:
    """Which of these debts are owed by a person who has died (registered or reported dead)."""
    if not debt_ids:
        return set()
    died = or_(Person.status == "deceased",
               select(StopReport.id).where(StopReport.person_id == Person.id,
                                           StopReport.reason.in_(common_rules.DEATH_REASONS)).exists())
    return set(db.execute(select(Debt.id).join(Person, Person.id == Debt.person_id)
                          .where(Debt.id.in_(debt_ids), died)).scalars())


def _remind_heirs(db: Session, debt: Debt) -> None:
    """催告 of a deceased debtor's debt: to the relatives, once per debt; no default follows."""
    person = db.get(Person, debt.person_id)
    tell(db, person, reminder_kind(debt),
         f"其多领的待遇（{debt.reason}）尚欠{format_yuan(balance(db, debt.id))}元，已逾期未退回。"
         "请继承人在继承遗产范围内退回，或到经办机构签订还款协议；经办机构将依法从遗产、个人账户余额"
         "或遗属待遇中追回（《社会保险经办条例》第四十六条）。")


def _remind(db: Session, debt: Debt, grace_until: Due) -> None:
    """催告: once per debt (the notice's kind names the debt)."""
    person = db.get(Person, debt.person_id)
    due = due_label(debt.due_on, debt.due_provisional)
    notify(db, person.ssn, reminder_kind(debt),
           f"您应于{due}前退回的多领待遇（{debt.reason}）尚欠{format_yuan(balance(db, debt.id))}元，"
           f"已逾期。请于{grace_until.label}前退回或到经办机构签订还款协议；逾期仍不退回的，经办机构将依法追缴，"
           "并记入社会保险失信记录（《社会保险经办条例》第四十五条、第四十六条）。", phone=person.phone)


@transactional
def sweep(db: Session, actor: Actor) -> dict[str, list[int]]:
    """履约检查: debts paid off (by repayments or the payroll's deductions) are settled; an
    agreement with an instalment overdue beyond the grace period is broken, and so is an order
    to return left unpaid beyond its due date and the grace period — the debt is defaulted,
    the debtor warned, and the breach recorded as a credit record (R§45, D§43(三)). An order
    just past its due date gets one reminder (催告) first. A debtor who has died is never
    defaulted: his relatives get one reminder instead, and the debt stays open for recovery
    from the estate, the account or a survivor benefit (R§46). A rerun finds nothing new."""
    require(actor, "benefits.recovery")
    today = clock.today()
    settled = []
    # Locked in id order, as the payroll's deductions lock them: no deadlock between the two.
    for debt in db.execute(select(Debt).where(Debt.status.in_(OPEN)).order_by(Debt.id)
                           .with_for_update()).scalars():
        if balance(db, debt.id) <= 0:
            _refresh(db, debt)
            settled.append(debt.id)
    cutoff = grace_cutoff(db, today)
    defaulted, reminded = [], []
    broken = [_debt(db, debt_id) for debt_id in _defaulters(db, cutoff)]
    overdue = _overdue_orders(db, today)
    dead = _dead(db, [d.id for d in broken + overdue])
    already = _reminded(db, broken + overdue)
    for debt in broken:
        if debt.id not in dead:
            _default(db, actor, debt)
            defaulted.append(debt.id)
        elif reminder_kind(debt) not in already:
            _remind_heirs(db, debt)
            reminded.append(debt.id)
    grace = agency.param(db, "benefits.recovery.grace_wd", today)
    for debt in overdue:
        if debt.id in dead:
            if reminder_kind(debt) not in already:
                _remind_heirs(db, debt)
                reminded.append(debt.id)
        elif debt.due_on <= cutoff:
            _default(db, actor, debt)
            defaulted.append(debt.id)
        elif reminder_kind(debt) not in already:
            _remind(db, debt, agency.due_date(db, debt.due_on, grace))
            reminded.append(debt.id)
    audit.record(db, actor, "benefits.recovery_sweep", f"recovery_sweep:{today}",
                 after={"settled": settled, "reminded": reminded, "defaulted": defaulted})
    return {"settled": settled, "reminded": reminded, "defaulted": defaulted}


def _default(db: Session, actor: Actor, debt: Debt) -> None:
    """违约: under an agreement, its breach; without one, a refusal to return (D§43(三))."""
    _refresh(db, debt)
    debt.status = "defaulted"
    person = db.get(Person, debt.person_id)
    agreement = db.execute(select(DebtAgreement).where(DebtAgreement.debt_id == debt.id)).scalar()
    left = balance(db, debt.id)
    if agreement:
        act, name = "overpayment_agreement_breach", f"{person.name}（还款协议签订人：{agreement.signed_by}）"
        breach = "签订还款协议后未按期还款"
        notice = f"您未按还款协议按期退回多领的待遇，尚欠{format_yuan(left)}元，已视为未履约。"
    else:
        act, name = "overpayment_refused", person.name
        breach = f"责令于{due_label(debt.due_on, debt.due_provisional)}前退回，逾期经催告仍未退回"
        notice = f"您未在责令期限内退回多领的待遇，逾期超过宽限期仍未退回，尚欠{format_yuan(left)}元。"
    notify(db, person.ssn, "recovery", notice + "经办机构将依法追缴，并已记入社会保险失信记录"
                                                "（《社会保险经办条例》第四十五条、第四十六条）。如有异议，可向经办机构提出。",
           phone=person.phone)
    oversight.record_credit(db, actor, CreditIn(
        subject_kind="person", subject_key=person.ssn, subject_name=name, act=act,
        description=f"{debt.reason}；{breach}，尚欠{format_yuan(left)}元", source_ref=debt_subject(debt)))
    audit.record(db, actor, "benefits.recovery_sweep", debt_subject(debt),
                 after={"status": "defaulted", "balance": left}, related=person_subject(person))


def redate_provisional(db: Session, actor: Actor) -> int:
    """Open orders to repay whose deadline was counted over an unpublished year."""
    rows = db.execute(select(Debt).where(Debt.due_provisional.is_(True),
                                         Debt.status == "open")).scalars()
    return agency.redate(db, actor, list(rows), lambda d: (
        d.ordered_on, agency.param(db, "benefits.recovery.repay_wd", d.ordered_on)))
