"""Breach handling (R§43): notice, statement (陈述、申辩) or lapse, then the decision case.

The agreement manager tells the institution the facts and the measure proposed (urge, withhold
or suspend payment, recover money, suspend a department for 1–12 months, terminate) with its
right to state its case within the period. After its statement, or once the period has run out,
the manager submits the decision case (AGR-BREACH, 初审+复核); its approval imposes the measure
and writes a credit record (R§45). Nothing is decided before that: the intake tries the act.
Every step is a line of the institution's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.agreements.breaches import rules
from jingban.agreements.breaches.models import BreachMeasure, BreachRepayment
from jingban.agreements.breaches.schemas import BreachAct, NoticeIn, RepaymentIn, StatementIn
from jingban.agreements.institutions import lifecycle
from jingban.agreements.institutions import rules as inst_rules
from jingban.agreements.institutions.models import Agreement, Institution, InstitutionDepartment
from jingban.agreements.institutions.service import valid_agreement
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import format_yuan, parse_yuan
from jingban.core.workdays import due_label
from jingban.funds.ledger import service as ledger
from jingban.notices.service import notify
from jingban.oversight import service as credits
from jingban.oversight.schemas import CreditIn

ITEM = "AGR-BREACH"
audit.ACT_NAMES.update({
    "agreements.breach_notice": "违约处理告知", "agreements.breach_statement": "记录陈述申辩",
    "agreements.breach_submit": "提请违约处理决定", "agreements.breach_decide": "作出违约处理决定",
    "agreements.breach_drop": "不予违约处理", "agreements.breach_repayment": "登记违约追回款到账",
})


def breach_subject(row: BreachMeasure) -> str:
    return f"agreement_breach:{row.id}"


def _locked(db: Session, breach_id: int, field: str = "breach_id") -> BreachMeasure:
    row = db.execute(select(BreachMeasure).where(BreachMeasure.id == breach_id)
                     .with_for_update()).scalar()
    if row is None:
        raise NotFound("breach.not_found", f"未找到违约处理 {breach_id}", field)
    db.refresh(row)
    return row


def _step(db: Session, actor: Actor, row: BreachMeasure, step: str, note: str,
          before: dict | None = None) -> None:
    inst = db.get(Institution, row.institution_id)
    lifecycle.event(db, actor, inst, step, f"{rules.MEASURES[row.measure]}：{note}",
                    breach_subject(row), before, after=row)


def _tell(db: Session, row: BreachMeasure, message: str, case_id: int | None = None) -> None:
    inst = db.get(Institution, row.institution_id)
    notify(db, inst.uscc, "agreement_breach", f"{message}（违约处理编号 {row.id}）", case_id=case_id)


def _param(db: Session, name: str):
    return agency.param(db, f"agreements.breach.{name}", clock.today())


# --- the notice -----------------------------------------------------------------------------------

@transactional
def serve_notice(db: Session, actor: Actor, data: NoticeIn) -> BreachMeasure:
    """告知: the facts, the measure and the right to state one's case within the period."""
    require(actor, "agreements.manage")
    inst = lifecycle.locked(db, data.institution_id)
    agreement = _agreement_of(db, inst)
    amount = _amount(data)
    _check_measure(db, inst, data, amount)
    days = int(_param(db, "statement_wd"))
    due = agency.due_date(db, clock.today(), days)
    row = BreachMeasure(institution_id=inst.id, agreement_id=agreement.id, measure=data.measure,
                        facts=data.facts, status="noticed", noticed_on=clock.today(),
                        statement_due=due.due, due_provisional=due.provisional,
                        department_id=data.department_id,
                        months=data.months, amount_fen=amount, period_to=data.period_to,
                        termination_kind=data.termination_kind, created_by=actor.username)
    db.add(row)
    db.flush()
    shown = due_label(due.due, due.provisional)
    _tell(db, row, f"违约处理告知：经办机构拟对贵单位{_what(db, row)}。事实：{row.facts}；依据：{rules.BASIS}"
                   f"及服务协议{agreement.number}。贵单位有权在{days}个工作日内（{shown}前）陈述、申辩，"
                   "期满未提出的视为放弃。")
    _step(db, actor, row, "breach_notice", f"{row.facts}；陈述申辩期限至{shown}")
    return row


def _agreement_of(db: Session, inst: Institution) -> Agreement:
    found = valid_agreement(db, inst.id, clock.today()) or db.scalars(
        select(Agreement).where(Agreement.institution_id == inst.id,
                                Agreement.status.in_(("signed", "suspended")))
        .order_by(Agreement.starts_on.desc()).limit(1)).first()
    if found is None:
        raise Conflict("breach.no_agreement", "该机构没有履行中的服务协议，不能作违约处理", "institution_id")
    return found


def _amount(data: NoticeIn) -> int | None:
    if data.amount in (None, ""):
        return None
    return parse_yuan(data.amount, "amount")


def _check_measure(db: Session, inst: Institution, data: NoticeIn, amount: int | None) -> None:
    if data.department_id is not None:
        dept = db.get(InstitutionDepartment, data.department_id)
        if dept is None or dept.institution_id != inst.id:
            raise InvalidInput("breach.department", "所选部门不属于该机构", "department_id")
    problem = rules.measure_problem(
        data.measure, months=data.months, amount_fen=amount, department_id=data.department_id,
        period_to=data.period_to, termination_kind=data.termination_kind, today=clock.today(),
        bounds=_param(db, "suspend_months"))
    if problem:
        raise InvalidInput(*problem)
    open_one = db.scalar(select(BreachMeasure.id).where(
        BreachMeasure.institution_id == inst.id, BreachMeasure.measure == data.measure,
        BreachMeasure.status.in_(rules.OPEN)))
    if open_one:
        raise Conflict("breach.open", f"该机构已有在办的同类违约处理 {open_one}", "measure")


def _what(db: Session, row: BreachMeasure) -> str:
    """The measure in words, with its department, months, amount or period."""
    name = rules.MEASURES[row.measure]
    if row.measure == "suspend_department":
        dept = db.get(InstitutionDepartment, row.department_id)
        return f"{name}（{dept.name}，{row.months}个月）"
    if row.amount_fen is not None and row.measure in ("recover", "withhold"):
        name += f"（{format_yuan(row.amount_fen)}元）"
    if row.measure == "withhold":
        return f"{name}，至{row.period_to}"
    if row.measure == "terminate":
        return f"{name}（{inst_rules.TERMINATION_KINDS[row.termination_kind]}）"
    return name


# --- statement, drop ------------------------------------------------------------------------------

@transactional
def record_statement(db: Session, actor: Actor, breach_id: int, data: StatementIn) -> BreachMeasure:
    """陈述、申辩 within the period."""
    require(actor, "agreements.manage")
    row = _locked(db, breach_id)
    if row.status not in ("noticed", "stated"):
        raise Conflict("breach.status", "只能在告知后、作出决定前陈述申辩", "breach_id")
    if clock.today() > row.statement_due:
        raise Conflict("breach.statement_late", f"陈述申辩期限已于{row.statement_due.isoformat()}届满",
                       "text")
    before = snapshot(row)
    row.statement = "\n".join(x for x in (row.statement, data.text) if x)[:4000]
    row.status, row.stated_on = "stated", clock.today()
    _step(db, actor, row, "breach_statement", data.text, before)
    return row


@transactional
def drop(db: Session, actor: Actor, breach_id: int, reason: str) -> BreachMeasure:
    """不予处理: the statement is accepted (R§43 解读: 当事人提出的事实、理由成立的，应当采纳)."""
    require(actor, "agreements.manage")
    row = _locked(db, breach_id)
    if not _may_drop(db, row):
        raise Conflict("breach.status", f"当前状态为“{rules.STATUSES[row.status]}”，不能终止", "breach_id")
    before = snapshot(row)
    row.status, row.decision, row.decided_on = "dropped", reason, clock.today()
    row.decided_by = actor.username
    _tell(db, row, f"经复核贵单位的陈述申辩，经办机构决定不予{rules.MEASURES[row.measure]}：{reason}")
    _step(db, actor, row, "breach_drop", reason, before)
    return row


def _may_drop(db: Session, row: BreachMeasure) -> bool:
    """Before the decision case, or after its review returned or closed it."""
    if row.status in ("noticed", "stated"):
        return True
    case = db.get(Case, row.case_id) if row.status == "deciding" and row.case_id else None
    return case is not None and case.status in ("returned", "closed")


# --- the decision case ----------------------------------------------------------------------------

@transactional
def submit_decision(db: Session, actor: Actor, breach_id: int, reason: str) -> Case:
    """提请决定: the AGR-BREACH case; refused at intake before the statement or its period's end."""
    require(actor, "agreements.manage")
    row = _locked(db, breach_id)
    if problem := rules.decision_problem(row.status, clock.today(), row.statement_due):
        raise Conflict(*problem, "breach_id")
    case = cases.submit(db, actor, ITEM, {"breach_id": row.id, "reason": reason})
    before = snapshot(row)
    row.status, row.case_id = "deciding", case.id
    _step(db, actor, row, "breach_submit", f"业务件{case.number}：{reason}", before)
    return case


def decide(db: Session, actor: Actor, _key, data: BreachAct) -> BreachMeasure:
    """The case's act (final approval): impose the measure, tell the institution, record credit."""
    row = _locked(db, data.breach_id, "payload.breach_id")
    if row.status != "deciding" and (
            problem := rules.decision_problem(row.status, clock.today(), row.statement_due)):
        raise Conflict(*problem, "payload.breach_id")
    before = snapshot(row)
    today = clock.today()
    _impose(db, actor, row, today)
    row.status, row.decision, row.decided_on = "decided", data.reason, today
    row.decided_by, row.case_id = actor.username, actor.case_id or row.case_id
    record = credits.record_credit(db, _recorder(actor), CreditIn(
        subject_kind="institution", subject_key=db.get(Institution, row.institution_id).uscc,
        subject_name=db.get(Institution, row.institution_id).name, act="agreement_breach",
        description=f"{_what(db, row)}：{row.facts}"[:500], source_ref=breach_subject(row)))
    row.credit_record_id = record.id
    _tell(db, row, f"违约处理决定：经办机构决定对贵单位{_what(db, row)}。理由：{data.reason}；"
                   f"依据：{rules.BASIS}。", actor.case_id)
    _step(db, actor, row, "breach_decide", f"{_what(db, row)}；{data.reason}", before)
    return row


def _recorder(actor: Actor) -> Actor:
    """The approved case vouches for the credit record its decision writes (R§45)."""
    return replace(actor, roles=actor.roles | {"agreement_manager"}) if actor.case_id else actor


def _impose(db: Session, actor: Actor, row: BreachMeasure, today: dt.date) -> None:
    """What the measure changes: a withholding period, a department's suspension, a termination."""
    if row.measure == "withhold":
        row.period_from = today
        if row.period_to < today:
            raise Conflict("breach.period", f"暂停拨付截止日期{row.period_to}已过，请重新告知",
                           "payload.breach_id")
    elif row.measure == "suspend_department":
        dept = db.get(InstitutionDepartment, row.department_id)
        row.period_from, row.period_to = today, rules.suspension_end(today, row.months)
        dept.suspended_until = max(dept.suspended_until or row.period_to, row.period_to)
    elif row.measure == "terminate":
        _terminate(db, row, today)


def _terminate(db: Session, row: BreachMeasure, today: dt.date) -> None:
    agreements = db.scalars(select(Agreement).where(
        Agreement.institution_id == row.institution_id, Agreement.status.in_(("signed", "suspended"))))
    for agreement in agreements:
        agreement.status, agreement.terminated_on = "terminated", today
        agreement.termination_kind = row.termination_kind
    db.get(Institution, row.institution_id).status = "terminated"
    row.period_from = today


def decision_applicant(db: Session, data: BreachAct) -> tuple[str | None, str, str]:
    row = db.get(BreachMeasure, data.breach_id)
    if row is None:
        raise NotFound("breach.not_found", f"未找到违约处理 {data.breach_id}", "payload.breach_id")
    inst = db.get(Institution, row.institution_id)
    return lifecycle.institution_subject(inst), inst.uscc, inst.name


def case_subject(row: BreachMeasure) -> str:
    return f"institution:{row.institution_id}"


def redate_provisional(db: Session, actor: Actor) -> int:
    """Statement periods counted over a then-unpublished year (agency.redate)."""
    rows = db.scalars(select(BreachMeasure).where(BreachMeasure.due_provisional.is_(True),
                                                  BreachMeasure.status == "noticed"))
    return agency.redate(db, actor, list(rows), lambda x: (x.noticed_on, int(agency.param(
        db, "agreements.breach.statement_wd", x.noticed_on))), field="statement_due")


# --- the money recovered (追回) -------------------------------------------------------------------

def repaid_fen(db: Session, breach_id: int) -> int:
    return int(db.scalar(select(func.coalesce(func.sum(BreachRepayment.amount_fen), 0)).where(
        BreachRepayment.breach_id == breach_id)))


@transactional
def record_repayment(db: Session, actor: Actor, breach_id: int, data: RepaymentIn) -> BreachRepayment:
    """追回款到账 (R§43): money paid back under a decided recovery, up to the amount decided, is
    booked to the fund's income account on the day it arrived (借 收入户存款，贷 其他收入)."""
    require(actor, "agreements.manage")
    row = _locked(db, breach_id)
    if row.measure != "recover" or row.status != "decided":
        raise Conflict("breach.not_recovery", "只能对已决定的追回违规费用登记到账", "breach_id")
    amount = parse_yuan(data.amount, "amount")
    left = (row.amount_fen or 0) - repaid_fen(db, row.id)
    if not 0 < amount <= left:
        raise InvalidInput("breach.repayment_amount", f"决定追回{format_yuan(row.amount_fen or 0)}元，"
                           f"尚未追回{format_yuan(left)}元，本次到账金额须大于零且不超过未追回部分", "amount")
    on = data.paid_on or clock.today()
    if not row.decided_on <= on <= clock.today():
        raise InvalidInput("breach.paid_on", "到账日期须在决定之日与今天之间", "paid_on")
    repayment = BreachRepayment(breach_id=row.id, fund=data.fund, amount_fen=amount, paid_on=on,
                                reference=data.reference, recorded_by=actor.username)
    db.add(repayment)
    db.flush()
    inst = db.get(Institution, row.institution_id)
    entry = ledger.book_breach_recovery(
        db, actor, data.fund, amount, f"agreement-recovery:{repayment.id}",
        f"追回{inst.name}违规费用（违约处理{row.id}，回单{data.reference}）", on, row.case_id)
    repayment.entry_id = entry.id
    db.flush()
    lifecycle.event(
        db, actor, inst, "breach_repayment",
        f"{rules.MEASURES[row.measure]}：到账{format_yuan(amount)}元（{ledger.fund_name(data.fund)}，"
        f"回单{data.reference}）", breach_subject(row), after=repayment)
    return repayment


def repayments(db: Session, actor: Actor, breach_id: int) -> list[BreachRepayment]:
    require(actor, "agreements.read")
    return list(db.scalars(select(BreachRepayment).where(BreachRepayment.breach_id == breach_id)
                           .order_by(BreachRepayment.id)))


# --- reads ----------------------------------------------------------------------------------------

def breaches(db: Session, actor: Actor, institution_id: int | None = None,
             status: str | None = None) -> list[BreachMeasure]:
    require(actor, "agreements.read")
    stmt = select(BreachMeasure).order_by(BreachMeasure.id.desc())
    if institution_id:
        stmt = stmt.where(BreachMeasure.institution_id == institution_id)
    if status:
        stmt = stmt.where(BreachMeasure.status == status)
    return list(db.scalars(stmt.limit(1000)))


def describe(db: Session, row: BreachMeasure) -> str:
    return _what(db, row)
