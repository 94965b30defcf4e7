"""Penalties (罚款, R§55, R§57) and the money they bring in (Z-13(1)).

The inspector proposes a penalty: the facts, for fraud the amount obtained, and the legal range
the rules derive from them (fixed on the proposal). The decision — the chosen fine and the
reason — is an OVS-PENALTY case of three levels; a fine outside the range is refused at intake
and on approval, and nothing is written. Each collection of recovered money or of the fine must
be paid into the fund's income account or the fiscal penalty account within 10 working days
(Z-13(1)): its deadline is recorded with it and shown until the deposit is recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.cases.models import Case
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import format_yuan, parse_yuan
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.oversight import service as credit
from jingban.oversight.inspections import service as inspections
from jingban.oversight.inspections.service import columns, fetch, newest
from jingban.oversight.models import CreditRecord
from jingban.oversight.penalties import rules
from jingban.oversight.penalties.models import Penalty, PenaltyPayment
from jingban.oversight.penalties.schemas import (
    DecisionCaseIn,
    DecisionIn,
    DepositIn,
    FundIn,
    PaymentIn,
    ProposalIn,
)
from jingban.oversight.schemas import CreditIn
from jingban.registration.rules import INSURANCES

DECIDE_ITEM = "OVS-PENALTY"
MAX_ID = 2**31 - 1

audit.ACT_NAMES.update({
    "oversight.propose_penalty": "提出处罚建议",
    "oversight.submit_penalty": "提请处罚决定",
    "oversight.decide_penalty": "作出处罚决定",
    "oversight.penalty_payment": "登记收回款项",
    "oversight.penalty_deposit": "登记缴入基金（罚没）专户",
    "oversight.penalty_fund": "补记被骗取的险种基金",
})


def penalty_subject(row: Penalty) -> str:
    return f"penalty:{row.id}"


def legal_range(db: Session, kind: str, amount_fen: int, on: dt.date) -> rules.Range:
    """The range the law allows on ``on`` (R§55: a multiple of the amount; R§57: fixed bounds)."""
    if kind == "fraud":
        return rules.fraud_range(amount_fen, agency.param(db, "oversight.penalty.fraud_multiple", on))
    return rules.obstruction_range(agency.param(db, "oversight.penalty.obstruction_fen", on))


# --- the proposal -----------------------------------------------------------------------------

@transactional
def propose(db: Session, actor: Actor, data: ProposalIn) -> Penalty:
    """处罚建议: who, what, for fraud how much; the legal range comes from the rules."""
    require(actor, "oversight.inspect")
    kind, ref = _subject_of(db, actor, data)
    subject = inspections.find_subject(db, kind, ref)
    if problem := rules.subject_problem(data.kind, kind):
        raise InvalidInput("penalty.subject_kind", problem, "subject_kind")
    amount = parse_yuan(data.amount, "amount")
    if data.kind == "fraud" and amount == 0:
        raise InvalidInput("penalty.amount", "骗取社会保险基金支出的，须填写骗取金额（罚款按其2至5倍计）",
                           "amount")
    if data.kind == "obstruction" and amount:
        raise InvalidInput("penalty.amount", "拒绝、阻碍监督检查的罚款不按金额计算，请勿填写骗取金额",
                           "amount")
    if problem := rules.fund_problem(data.kind, data.fund):
        raise InvalidInput("penalty.fund", problem, "fund")
    today = clock.today()
    legal = legal_range(db, data.kind, amount, today)
    row = Penalty(inspection_id=data.inspection_id, kind=data.kind, subject_kind=kind,
                  subject_ref=subject.ref, subject_name=subject.name, facts=data.facts,
                  basis=rules.KINDS[data.kind][1], amount=amount, fund=data.fund, range_low=legal.low,
                  range_high=legal.high, status="proposed", proposed_on=today,
                  proposed_by=actor.username)
    db.add(row)
    db.flush()
    audit.record(db, actor, "oversight.propose_penalty", penalty_subject(row), after=snapshot(row),
                 reason=legal.label, related=subject.key)
    return row


def _subject_of(db: Session, actor: Actor, data: ProposalIn) -> tuple[str, str]:
    """The inspected subject when the proposal names an inspection, else the one given."""
    if data.inspection_id is None:
        if not data.subject_kind or not data.subject_ref:
            raise InvalidInput("penalty.subject", "须填写所依据的核查，或被处罚对象的类型和编码",
                               "subject_ref")
        return data.subject_kind, data.subject_ref
    found = inspections.get_inspection(db, actor, data.inspection_id)
    if (data.subject_ref and data.subject_ref.upper() != found.subject_ref) or \
            (data.subject_kind and data.subject_kind != found.subject_kind):
        raise InvalidInput("penalty.subject", "被处罚对象须与所依据的核查对象一致", "subject_ref")
    return found.subject_kind, found.subject_ref


# --- the decision -----------------------------------------------------------------------------

def _locked(db: Session, penalty_id: int) -> Penalty:
    return fetch(db, Penalty, penalty_id, "penalty.not_found", "处罚", "penalty_id", lock=True)


def _check_fine(row: Penalty, fine_text: str, field: str) -> int:
    fine = parse_yuan(fine_text, field)
    if problem := rules.fine_problem(fine, rules.Range(row.range_low, row.range_high)):
        raise InvalidInput("penalty.out_of_range", problem, field)
    return fine


@transactional
def submit_decision(db: Session, actor: Actor, penalty_id: int, data: DecisionIn) -> Case:
    """提请处罚决定: the chosen fine and the reason go to three levels of review."""
    require(actor, "oversight.inspect")
    row = _locked(db, penalty_id)
    if row.status == "decided":
        raise Conflict("penalty.decided", "该处罚已作出决定", "penalty_id")
    _check_fine(row, data.fine, "fine")
    case = inspections.submit_again(db, actor, DECIDE_ITEM, row.decision_case_id,
                                    {"penalty_id": row.id, **data.model_dump()}, data.reason,
                                    ("penalty.deciding", "该处罚决定正在审核中"))
    row.status, row.decision_case_id = "deciding", case.id
    audit.record(db, actor, "oversight.submit_penalty", penalty_subject(row),
                 after={"case": case.number, "fine": data.fine}, reason=data.reason)
    return case


def decide(db: Session, actor: Actor, _key: str | None, data: DecisionCaseIn) -> Penalty:
    """The act of OVS-PENALTY: the decision records the chosen amount and the reason."""
    case = inspections.act_case(db, actor, DECIDE_ITEM)
    row = _locked(db, data.penalty_id)
    if row.status == "decided":
        raise Conflict("penalty.decided", "该处罚已作出决定", "payload.penalty_id")
    row.fine = _check_fine(row, data.fine, "payload.fine")
    row.decision_reason, row.decided_on, row.decided_by = data.reason, clock.today(), actor.username
    row.status, row.decision_case_id = "decided", case.id
    db.flush()
    audit.record(db, actor, "oversight.decide_penalty", penalty_subject(row), after=snapshot(row),
                 reason=data.reason)
    if row.kind == "fraud":
        _record_fraud(db, actor, row, case)
    return row


def _record_fraud(db: Session, actor: Actor, row: Penalty, case: Case) -> None:
    """A fraud decided (R§55) is a dishonest act on the subject's credit record (R§45, D§43(二)),
    which the serious-dishonesty criteria read."""
    credit.write_credit(db, actor, CreditIn(
        subject_kind=row.subject_kind, subject_key=row.subject_ref, subject_name=row.subject_name,
        act="fraud", source_ref=penalty_subject(row),
        description=(f"处罚决定（业务件{case.number}）：骗取社会保险基金"
                     f"{format_yuan(row.amount)}元，责令退回并处罚款{format_yuan(row.fine or 0)}元。"
                     f"{row.facts}")[:500]))


def credit_record(db: Session, row: Penalty) -> CreditRecord | None:
    return db.execute(select(CreditRecord).where(CreditRecord.act == "fraud",
                                                 CreditRecord.source_ref == penalty_subject(row))
                      ).scalar()


def decision_applicant(db: Session, data: DecisionCaseIn) -> tuple[str | None, str, str]:
    """The agency's own case about the penalty; the subject learns of the decision from the
    decision document, not from a case notice."""
    row = fetch(db, Penalty, data.penalty_id, "penalty.not_found", "处罚", "payload.penalty_id")
    return penalty_subject(row), f"PENALTY:{row.subject_ref}"[:40], row.subject_name


# --- money collected and paid in (Z-13(1)) -----------------------------------------------------

def collected(db: Session, penalty_id: int) -> dict[str, int]:
    rows = db.execute(select(PenaltyPayment.part, func.sum(PenaltyPayment.amount))
                      .where(PenaltyPayment.penalty_id == penalty_id)
                      .group_by(PenaltyPayment.part)).all()
    found = {part: 0 for part in rules.PARTS}
    found.update({part: int(total or 0) for part, total in rows})
    return found


@transactional
def record_payment(db: Session, actor: Actor, penalty_id: int, data: PaymentIn) -> PenaltyPayment:
    """收回款项: the deadline to pay it in (10 working days, Z-13(1)) is set with it."""
    require(actor, "oversight.collect")
    row = _locked(db, penalty_id)
    if row.status != "decided":
        raise Conflict("penalty.not_decided", "处罚决定作出后方可登记收回款项", "penalty_id")
    if data.part == "recovered" and (problem := rules.fund_problem(row.kind, row.fund)):
        raise Conflict("penalty.no_fund", f"{problem}。该处罚登记时未记录险种基金，"
                       "请先在处罚页面补记被骗取的险种基金，再登记追回款", "fund")
    amount = parse_yuan(data.amount, "amount")
    owed = rules.owed(row.kind, row.amount, row.fine or 0)[data.part]
    already = collected(db, row.id)[data.part]
    if amount == 0 or already + amount > owed:
        raise InvalidInput("penalty.amount", f"{rules.PARTS[data.part]}应收{owed / 100:.2f}元，"
                           f"已收{already / 100:.2f}元，本次金额须大于零且不超过未收部分", "amount")
    today = clock.today()
    on = data.collected_on or today
    if not row.decided_on <= on <= today:
        raise InvalidInput("penalty.collected_on", "收回日期须在处罚决定之日与今天之间", "collected_on")
    days = agency.param(db, "oversight.penalty.deposit_wd", on)
    due = agency.due_date(db, on, days)
    payment = PenaltyPayment(penalty_id=row.id, part=data.part, amount=amount, collected_on=on,
                             deposit_wd=days, deposit_due=due.due, due_provisional=due.provisional,
                             recorded_by=actor.username)
    db.add(payment)
    db.flush()
    audit.record(db, actor, "oversight.penalty_payment", penalty_subject(row),
                 after=snapshot(payment), reason=rules.PARTS[data.part])
    return payment


@transactional
def record_deposit(db: Session, actor: Actor, penalty_id: int, payment_id: int,
                   data: DepositIn) -> PenaltyPayment:
    """缴入: the collected money is in the fund's income account (or the fiscal penalty account)."""
    require(actor, "oversight.collect")
    payment = fetch(db, PenaltyPayment, payment_id, "penalty.payment_not_found", "收回款项",
                    "payment_id", lock=True)
    if payment.penalty_id != penalty_id:
        raise NotFound("penalty.payment_not_found", f"未找到收回款项 {payment_id}", "payment_id")
    if payment.deposited_on is not None:
        raise Conflict("penalty.deposited", f"该笔款项已于{payment.deposited_on}缴入", "payment_id")
    on = data.deposited_on or clock.today()
    if not payment.collected_on <= on <= clock.today():
        raise InvalidInput("penalty.deposited_on", "缴入日期须在收回之日与今天之间", "deposited_on")
    payment.deposited_on, payment.deposit_ref = on, data.reference
    db.flush()
    if payment.part == "recovered":
        _book(db, actor, db.get(Penalty, penalty_id), payment)
    late = "（逾期缴入）" if on > payment.deposit_due else ""
    audit.record(db, actor, "oversight.penalty_deposit", f"penalty:{penalty_id}",
                 after=snapshot(payment), reason=rules.BASIS_DEPOSIT + late)
    return payment


@transactional
def set_fund(db: Session, actor: Actor, penalty_id: int, data: FundIn) -> Penalty:
    """补记险种基金: a fraud penalty recorded before the fund was asked for (migration 0035) names
    the fund its recovered money goes back to (R§55, Z-13(1)); a fund once named stays."""
    require(actor, "oversight.inspect")
    row = _locked(db, penalty_id)
    if row.kind != "fraud":
        raise InvalidInput("penalty.fund", rules.fund_problem(row.kind, data.fund), "fund")
    if row.fund is not None:
        raise Conflict("penalty.fund_set", f"该处罚已记录险种基金（{INSURANCES[row.fund]}），不能更改",
                       "fund")
    before = snapshot(row)
    row.fund = data.fund
    db.flush()
    audit.record(db, actor, "oversight.penalty_fund", penalty_subject(row), before=before,
                 after=snapshot(row), reason=data.reason)
    return row


def _book(db: Session, actor: Actor, row: Penalty, payment: PenaltyPayment) -> None:
    """The recovered money in the fund's income account is booked in its ledger (Z-13(1)); a
    fine goes to the fiscal penalty account (财政罚没收入户) and is not the fund's money."""
    if row.fund is None:
        raise Conflict("penalty.no_fund", "该处罚未记录被骗取的险种基金，不能记入基金账", "payment_id")
    ledger.book_penalty_recovery(db, actor, row.fund, payment.amount, payment_source(payment),
                                 f"追回骗取的社会保险基金（处罚{row.id}，票据{payment.deposit_ref}）",
                                 payment.deposited_on)


def payment_source(payment: PenaltyPayment) -> str:
    return f"penalty_payment:{payment.id}"


def entry_of(db: Session, payment: PenaltyPayment) -> int | None:
    return db.execute(select(JournalEntry.id).where(JournalEntry.source == payment_source(payment))
                      ).scalar()


# --- reads ------------------------------------------------------------------------------------

def get_penalty(db: Session, actor: Actor, penalty_id: int) -> Penalty:
    require(actor, "oversight.read")
    return fetch(db, Penalty, penalty_id, "penalty.not_found", "处罚", "penalty_id")


def penalties(db: Session, actor: Actor, *, inspection_id: int | None = None,
              status: str | None = None, limit: int = 200) -> list[Penalty]:
    require(actor, "oversight.read")
    stmt = select(Penalty)
    if inspection_id:
        stmt = stmt.where(Penalty.inspection_id == inspection_id)
    if status:
        stmt = stmt.where(Penalty.status == status)
    return newest(db, stmt, Penalty, limit, 1000)


def payments(db: Session, penalty_id: int) -> list[PenaltyPayment]:
    return list(db.execute(select(PenaltyPayment).where(PenaltyPayment.penalty_id == penalty_id)
                           .order_by(PenaltyPayment.id)).scalars())


def payment_out(db: Session, payment: PenaltyPayment, today: dt.date) -> dict[str, Any]:
    late = (payment.deposited_on or today) > payment.deposit_due
    return {**columns(payment), "overdue": late, "entry_id": entry_of(db, payment)}


def out(db: Session, row: Penalty) -> dict[str, Any]:
    """A penalty as the API and the pages show it: the range, what is owed and collected."""
    today = clock.today()
    status_name = rules.STATUSES[row.status]
    case = db.get(Case, row.decision_case_id) if row.decision_case_id else None
    if row.status == "deciding" and case is not None and case.status == "returned":
        status_name = "处罚决定被退回，可修改后重新提请"
    return {**columns(row), "kind_name": rules.KINDS[row.kind][0], "status_name": status_name,
            "range_label": rules.Range(row.range_low, row.range_high).label,
            "owed": rules.owed(row.kind, row.amount, row.fine or 0) if row.fine is not None else {},
            "collected": collected(db, row.id),
            "payments": [payment_out(db, p, today) for p in payments(db, row.id)],
            "fund_name": INSURANCES.get(row.fund or "", ""),
            "credit_record_id": (found.id if (found := credit_record(db, row)) else None)}


def redate_provisional(db: Session, actor: Actor) -> int:
    """Collections not yet paid in whose deadline was counted over an unpublished year."""
    rows = db.execute(select(PenaltyPayment).where(PenaltyPayment.due_provisional.is_(True),
                                                   PenaltyPayment.deposited_on.is_(None))).scalars()
    return agency.redate(db, actor, list(rows), lambda p: (p.collected_on, p.deposit_wd),
                         field="deposit_due")
