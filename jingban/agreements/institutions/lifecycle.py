"""The institution's life as cases (R§33): application (AGR-APPLY), review with the on-site
evaluation (AGR-REVIEW), signing a dated agreement (AGR-SIGN), renewal (AGR-RENEW) and the yearly
evaluation with a score (AGR-EVALUATE). Each act runs at the case's final approval (and is tried
at intake, so a refusal keeps nothing); each writes a line of the institution's history.

A terminated institution may apply and sign again only after the ban of Z-12(5) (one year
after a termination for a breach, two after one for an illegal act); the error names the day.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.agreements.institutions import rules
from jingban.agreements.institutions.models import (
    Agreement,
    Evaluation,
    Institution,
    InstitutionDepartment,
    InstitutionEvent,
)
from jingban.agreements.institutions.schemas import (
    ApplicationIn,
    EvaluateIn,
    RenewIn,
    ReviewIn,
    SignIn,
)
from jingban.agreements.institutions.service import get_institution
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.db import snapshot
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.ids import validate_uscc

audit.ACT_NAMES.update({
    "agreements.apply": "受理定点服务机构申请", "agreements.review": "现场评估审核",
    "agreements.sign": "签订服务协议", "agreements.renew": "续签服务协议",
    "agreements.evaluate": "年度考核评价", "agreements.prices": "导入价格目录",
    "agreements.expire": "服务协议期满",
})


def institution_subject(row: Institution) -> str:
    return f"institution:{row.id}"


def event(db: Session, actor: Actor, inst: Institution, step: str, note: str, ref: str,
          before: dict | None = None, after: object | None = None) -> InstitutionEvent:
    """One line of the institution's history and its audit event, inside the caller's act."""
    row = InstitutionEvent(institution_id=inst.id, step=step, note=note[:1000], ref=ref,
                           on_date=clock.today(), by=actor.username)
    db.add(row)
    db.flush()
    audit.record(db, actor, f"agreements.{step}", institution_subject(inst), before=before,
                 after=snapshot(after if after is not None else inst), reason=note[:500])
    return row


def locked(db: Session, institution_id: int) -> Institution:
    row = db.execute(select(Institution).where(Institution.id == institution_id)
                     .with_for_update()).scalar()
    if row is None:
        raise NotFound("institution.not_found", f"未找到服务机构 {institution_id}", "payload.institution_id")
    db.refresh(row)
    return row


def _param(db: Session, name: str):
    return agency.param(db, f"agreements.{name}", clock.today())


def resign_check(db: Session, inst: Institution) -> None:
    """Z-12(5): refused inside the ban after the last termination, naming the day it ends."""
    last = db.scalars(select(Agreement).where(
        Agreement.institution_id == inst.id, Agreement.terminated_on.is_not(None))
        .order_by(Agreement.terminated_on.desc()).limit(1)).first()
    if last is None:
        return
    problem = rules.resign_problem(last.terminated_on, last.termination_kind, clock.today(),
                                   _param(db, "resign_ban_years"))
    if problem:
        raise Conflict(*problem, "uscc")


# --- application --------------------------------------------------------------------------------

def apply(db: Session, actor: Actor, _key, data: ApplicationIn) -> Institution:
    """定点申请 (AGR-APPLY): a new institution, or one whose earlier application was rejected or
    whose agreement ended — then only after the re-sign ban."""
    code = validate_uscc(data.uscc)
    if data.licence_valid_to < clock.today():
        raise InvalidInput("institution.licence_expired",
                           f"许可证{data.licence_no}已于{data.licence_valid_to}过期，不能申请定点",
                           "payload.licence_valid_to")
    inst = db.execute(select(Institution).where(Institution.uscc == code).with_for_update()).scalar()
    if inst is not None and inst.status not in ("rejected", "terminated", "expired"):
        raise Conflict("institution.exists",
                       f"该机构已登记，当前状态为“{rules.STATUSES[inst.status]}”", "uscc")
    if inst is not None:
        resign_check(db, inst)
    before = snapshot(inst) if inst else None
    fields = data.model_dump(exclude={"departments", "uscc"})
    if inst is None:
        inst = Institution(uscc=code, **fields)
        db.add(inst)
    else:
        for name, value in fields.items():
            setattr(inst, name, value)
    inst.status = "applied"
    db.flush()
    _add_departments(db, inst, data)
    event(db, actor, inst, "apply", f"{rules.INSTITUTION_KINDS[inst.kind]}申请定点：{inst.name}，"
                                    f"许可证{inst.licence_no}有效期至{inst.licence_valid_to}",
          institution_subject(inst), before)
    return inst


def _add_departments(db: Session, inst: Institution, data: ApplicationIn) -> None:
    known = set(db.scalars(select(InstitutionDepartment.code)
                           .where(InstitutionDepartment.institution_id == inst.id)))
    codes = [d.code for d in data.departments]
    if len(set(codes)) != len(codes):
        raise InvalidInput("institution.department_duplicate", "科室编码重复", "departments")
    for dept in data.departments:
        if dept.code not in known:
            db.add(InstitutionDepartment(institution_id=inst.id, code=dept.code, name=dept.name))
    db.flush()


def apply_applicant(db: Session, data: ApplicationIn) -> tuple[str | None, str, str]:
    return None, validate_uscc(data.uscc), data.name


def institution_applicant(db: Session, data) -> tuple[str | None, str, str]:
    """The case is about an institution already registered: its subject, USCC and name."""
    inst = _institution_of(db, data)
    return institution_subject(inst), inst.uscc, inst.name


def _institution_of(db: Session, data) -> Institution:
    if hasattr(data, "agreement_id"):
        agreement = db.get(Agreement, data.agreement_id)
        if agreement is None:
            raise NotFound("agreement.not_found", f"未找到服务协议 {data.agreement_id}",
                           "payload.agreement_id")
        return get_institution(db, agreement.institution_id)
    try:
        return get_institution(db, data.institution_id)
    except NotFound as exc:
        raise NotFound(exc.code, exc.message, "payload.institution_id") from None


# --- review with the on-site evaluation ---------------------------------------------------------

def review(db: Session, actor: Actor, _key, data: ReviewIn) -> Institution:
    """评估审核 (AGR-REVIEW): the on-site evaluation record; pass → reviewed, fail → rejected."""
    inst = locked(db, data.institution_id)
    if inst.status != "applied":
        raise Conflict("institution.status", f"当前状态为“{rules.STATUSES[inst.status]}”，不能评估审核",
                       "payload.institution_id")
    if data.evaluated_on > clock.today():
        raise InvalidInput("evaluation.future", "现场评估日期不能晚于今日", "payload.evaluated_on")
    before = snapshot(inst)
    row = Evaluation(institution_id=inst.id, kind="onsite", result=data.result, note=data.note,
                     evaluated_on=data.evaluated_on, evaluated_by=actor.username,
                     case_id=actor.case_id)
    db.add(row)
    inst.status = "reviewed" if data.result == "pass" else "rejected"
    db.flush()
    event(db, actor, inst, "review", f"现场评估（{data.evaluated_on}）"
                                     f"{'通过' if data.result == 'pass' else '未通过'}：{data.note}",
          f"institution_evaluation:{row.id}", before)
    return inst


# --- signing and renewal ------------------------------------------------------------------------

def sign(db: Session, actor: Actor, _key, data: SignIn) -> Agreement:
    """签订服务协议 (AGR-SIGN): after a passed review, inside the licence, outside the ban."""
    inst = locked(db, data.institution_id)
    if inst.status != "reviewed":
        raise Conflict("institution.not_reviewed",
                       f"当前状态为“{rules.STATUSES[inst.status]}”，须经评估审核通过后方可签订服务协议",
                       "payload.institution_id")
    resign_check(db, inst)
    _check_term(db, inst, data.starts_on, data.ends_on)
    before = snapshot(inst)
    row = _new_agreement(db, inst, data.kind, data.starts_on, data.ends_on, data.terms, actor)
    inst.status = "contracted"
    event(db, actor, inst, "sign", f"签订{rules.AGREEMENT_KINDS[row.kind]}{row.number}，"
                                   f"期限{row.starts_on}至{row.ends_on}", f"service_agreement:{row.id}",
          before)
    return row


def _check_term(db: Session, inst: Institution, starts_on, ends_on) -> None:
    if problem := rules.term_problem(starts_on, ends_on, int(_param(db, "term_max_years"))):
        code, message, field = problem
        raise InvalidInput(code, message, f"payload.{field}")
    if inst.licence_valid_to is not None and inst.licence_valid_to < starts_on:
        raise InvalidInput("institution.licence_expired",
                           f"许可证{inst.licence_no}有效期至{inst.licence_valid_to}，协议起始日已超出有效期",
                           "payload.starts_on")


def _new_agreement(db: Session, inst: Institution, kind: str, starts_on, ends_on, terms: dict,
                   actor: Actor) -> Agreement:
    count = db.scalar(select(func.count()).select_from(Agreement)
                      .where(Agreement.institution_id == inst.id)) or 0
    row = Agreement(institution_id=inst.id, number=f"FWXY{inst.id:06d}-{count + 1:02d}", kind=kind,
                    starts_on=starts_on, ends_on=ends_on, terms=terms, status="signed",
                    case_id=actor.case_id)
    db.add(row)
    db.flush()
    return row


def renew(db: Session, actor: Actor, _key, data: RenewIn) -> Agreement:
    """续签 (AGR-RENEW): a new term from the day after the current one ends, for an institution
    whose last yearly evaluation was at least 合格."""
    current = db.execute(select(Agreement).where(Agreement.id == data.agreement_id)
                         .with_for_update()).scalar()
    if current is None:
        raise NotFound("agreement.not_found", f"未找到服务协议 {data.agreement_id}", "payload.agreement_id")
    if current.status != "signed":
        state = rules.AGREEMENT_STATUSES[current.status]
        raise Conflict("agreement.status", f"协议状态为“{state}”，不能续签", "payload.agreement_id")
    inst = locked(db, current.institution_id)
    later = db.scalar(select(Agreement.id).where(Agreement.institution_id == inst.id,
                                                 Agreement.starts_on > current.starts_on))
    if later:
        raise Conflict("agreement.renewed", "该协议已续签", "payload.agreement_id")
    last = db.scalars(select(Evaluation).where(Evaluation.institution_id == inst.id,
                                               Evaluation.kind == "yearly")
                      .order_by(Evaluation.year.desc()).limit(1)).first()
    if problem := rules.renewal_problem(last.result if last else None, last.year if last else None):
        raise Conflict(*problem, "payload.agreement_id")
    starts_on = current.ends_on + dt.timedelta(days=1)
    _check_term(db, inst, starts_on, data.ends_on)
    row = _new_agreement(db, inst, current.kind, starts_on, data.ends_on,
                         data.terms if data.terms is not None else dict(current.terms or {}), actor)
    event(db, actor, inst, "renew", f"续签{row.number}（原协议{current.number}），期限{row.starts_on}至"
                                    f"{row.ends_on}", f"service_agreement:{row.id}")
    return row


# --- yearly evaluation --------------------------------------------------------------------------

def evaluate(db: Session, actor: Actor, _key, data: EvaluateIn) -> Evaluation:
    """年度考核评价 (AGR-EVALUATE): one score a year for a contracted institution."""
    inst = locked(db, data.institution_id)
    if inst.status not in ("contracted", "suspended"):
        raise Conflict("institution.status", f"当前状态为“{rules.STATUSES[inst.status]}”，不能年度考核",
                       "payload.institution_id")
    if data.year > clock.today().year:
        raise InvalidInput("evaluation.year", "考核年度不能晚于本年度", "payload.year")
    if db.scalar(select(Evaluation.id).where(Evaluation.institution_id == inst.id,
                                             Evaluation.kind == "yearly", Evaluation.year == data.year)):
        raise Conflict("evaluation.exists", f"{data.year}年度考核评价已完成", "payload.year")
    result = rules.grade(data.score, _param(db, "evaluation.grades"))
    row = Evaluation(institution_id=inst.id, kind="yearly", year=data.year, score=data.score,
                     result=result, note=data.note, evaluated_on=clock.today(),
                     evaluated_by=actor.username, case_id=actor.case_id)
    db.add(row)
    db.flush()
    event(db, actor, inst, "evaluate", f"{data.year}年度考核评价{data.score}分（{rules.GRADES[result]}）："
                                       f"{data.note}", f"institution_evaluation:{row.id}", after=row)
    return row


def subject_of(result) -> str:
    """The case's subject: the institution the act was about."""
    return f"institution:{getattr(result, 'institution_id', None) or result.id}"

