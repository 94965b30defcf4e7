"""Inspections (核查, R§42) as cases, with the order to correct and the handover (R§44).

An inspection is filed as an OVS-INSPECT case (the inspector files it; the filing act creates
the inspection at once). The findings and the order to correct go to two levels of review as
an OVS-INSPECT-CONCLUDE case; its approval orders the subject to correct within a deadline in
working days and tells it so. When the order goes unheeded past the deadline (or the matter falls
to the department by law), the handover (移交) is an OVS-HANDOVER case whose approval records the
handover sheet, printable as a PDF. A plan opens many inspections at once: a seeded random
sample, drawn again identically from the same seed, or a targeted list.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award
from jingban.cases import rules as case_rules
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.workdays import due_label
from jingban.notices.service import notify
from jingban.oversight.inspections import rules
from jingban.oversight.inspections.models import Inspection, InspectionPlan
from jingban.oversight.inspections.schemas import (
    ConcludeCaseIn,
    ConclusionIn,
    CorrectionIn,
    FilingIn,
    HandoverCaseIn,
    HandoverIn,
    PlanIn,
)
from jingban.registration.models import Employer, Person

INSPECT_ITEM = "OVS-INSPECT"
CONCLUDE_ITEM = "OVS-INSPECT-CONCLUDE"
HANDOVER_ITEM = "OVS-HANDOVER"
MAX_ID = 2**31 - 1

audit.ACT_NAMES.update({
    "oversight.open_inspection": "核查立案",
    "oversight.submit_conclusion": "提交核查结论",
    "oversight.conclude_inspection": "核查结论（责令改正）",
    "oversight.record_correction": "登记改正情况",
    "oversight.submit_handover": "提请移交行政部门",
    "oversight.hand_over": "移交行政部门处理",
    "oversight.create_plan": "制定核查计划",
})


# --- who can be inspected ---------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    kind: str
    ref: str
    name: str
    key: str  # person:<id> / employer:<id> / institution:<code>
    phone: str = ""


# A service institution's register (定点医药机构 and other 社会保险服务机构) belongs to the
# agreements area, which is not built yet; until it provides one (``use_institutions``), an
# institution is the registered unit with that USCC, and no random draw of institutions exists.
InstitutionLookup = Callable[[Session, str], "Subject | None"]
InstitutionPopulation = Callable[[Session], "list[str] | None"]


def _registered_unit(db: Session, ref: str) -> Subject | None:
    unit = db.execute(select(Employer).where(Employer.uscc == ref)).scalar()
    return None if unit is None else Subject("institution", ref, unit.name,
                                             f"institution:{ref}", unit.phone)


_institutions: dict[str, Any] = {"find": _registered_unit, "population": lambda db: None}


def use_institutions(find: InstitutionLookup, population: InstitutionPopulation) -> None:
    """The service-institution register (set by the wiring once the agreements area has one)."""
    _institutions.update(find=find, population=population)


def find_subject(db: Session, kind: str, ref: str, field: str = "subject_ref") -> Subject:
    """The registered subject, or NotFound: nobody is inspected who is not on the register."""
    ref = (ref or "").strip().upper()
    if kind not in rules.SUBJECT_KINDS:
        raise InvalidInput("inspection.subject_kind", "核查对象类型应为用人单位、个人或社会保险服务机构",
                           "subject_kind")
    found = None
    if ref and len(ref) <= 40:
        if kind == "employer":
            unit = db.execute(select(Employer).where(Employer.uscc == ref)).scalar()
            found = unit and Subject(kind, ref, unit.name, f"employer:{unit.id}", unit.phone)
        elif kind == "person":
            person = db.execute(select(Person).where(Person.ssn == ref)).scalar()
            found = person and Subject(kind, ref, person.name, f"person:{person.id}", person.phone)
        else:
            found = _institutions["find"](db, ref)
    if not found:
        raise NotFound("inspection.subject_unknown",
                       f"未找到{rules.SUBJECT_KINDS[kind]} {ref or '（空）'}，不能对未登记的对象核查", field)
    return found


def fetch(db: Session, model: type, row_id: int, code: str, what: str, field: str, *,
          lock: bool = False) -> Any:
    """One row of an oversight table by id (locked for update when asked), or NotFound with
    the Chinese name of what was asked for; an id out of range is not found either."""
    found = None
    if 0 < row_id <= MAX_ID:
        stmt = select(model).where(model.id == row_id)
        found = db.execute(stmt.with_for_update() if lock else stmt).scalar()
    if found is None:
        raise NotFound(code, f"未找到{what} {row_id}", field)
    return found


def newest(db: Session, stmt: Any, model: type, limit: int, most: int) -> list[Any]:
    """The rows of a listing, newest first, at most ``most``."""
    return list(db.execute(stmt.order_by(model.id.desc()).limit(max(1, min(limit, most))))
                .scalars())


def columns(row: Any) -> dict[str, Any]:
    """Every column of a row with its Python value (dates stay dates), for the API and pages."""
    return {c.key: getattr(row, c.key) for c in sa_inspect(row).mapper.column_attrs}


def inspection_subject(row: Inspection) -> str:
    return f"inspection:{row.id}"


# --- filing -----------------------------------------------------------------------------------

@transactional
def open_inspection(db: Session, actor: Actor, *, subject_kind: str, subject_ref: str,
                    reason: str, origin: str | None = None, plan_id: int | None = None) -> Case:
    """核查立案 (R§42): an OVS-INSPECT case filed by the inspector. The subject must be on the
    register (else nothing is written); the same origin (a monitor hit, a complaint) files one
    inspection only, and asking again returns its case."""
    require(actor, "oversight.inspect")
    if origin and (earlier := by_origin(db, origin)) is not None:
        return db.get(Case, earlier.case_id)
    subject = find_subject(db, subject_kind, subject_ref)
    payload = {"subject_kind": subject_kind, "subject_ref": subject.ref, "reason": reason,
               "origin": origin, "plan_id": plan_id}
    return cases.submit(db, actor, INSPECT_ITEM, {k: v for k, v in payload.items() if v is not None})


def by_case(db: Session, case_id: int) -> Inspection | None:
    """The inspection an OVS-INSPECT case filed."""
    return db.execute(select(Inspection).where(Inspection.case_id == case_id)).scalar()


def by_origin(db: Session, origin: str) -> Inspection | None:
    return db.execute(select(Inspection).where(Inspection.origin == origin.strip())).scalar()


def act_case(db: Session, actor: Actor, item_code: str) -> Case:
    """The open case of ``item_code`` this act runs for: the acts are reachable only through it.
    At final approval every level must be done; otherwise (intake) the inspector runs it."""
    case = db.get(Case, actor.case_id) if actor.case_id else None
    final = actor.channel == "case"
    if (case is None or case.item_code != item_code or case.status not in case_rules.OPEN
            or (final and case.levels_done < case.levels_required)):
        raise Conflict("oversight.case_required", "核查立案、核查结论、移交和处罚决定须通过业务件办理",
                       "case_id")
    require(actor, "cases.act" if final else "oversight.inspect")
    return case


def file_inspection(db: Session, actor: Actor, _key: str | None, data: FilingIn) -> Inspection:
    """The act of OVS-INSPECT: the inspection, on the subject found on the register."""
    case = act_case(db, actor, INSPECT_ITEM)
    subject = find_subject(db, data.subject_kind, data.subject_ref, "payload.subject_ref")
    if data.plan_id is not None and db.get(InspectionPlan, data.plan_id) is None:
        raise NotFound("inspection.plan_not_found", f"未找到核查计划 {data.plan_id}", "payload.plan_id")
    row = Inspection(case_id=case.id, plan_id=data.plan_id, subject_kind=subject.kind,
                     subject_ref=subject.ref, subject_name=subject.name, reason=data.reason,
                     origin=data.origin, status="investigating", opened_on=clock.today(),
                     opened_by=case.intake_by)
    db.add(row)
    db.flush()
    audit.record(db, actor, "oversight.open_inspection", inspection_subject(row),
                 after=snapshot(row), reason=data.reason, related=subject.key)
    return row


def filing_applicant(db: Session, data: FilingIn) -> tuple[str | None, str, str]:
    """The agency's own case: nobody outside is told that an inspection is filed."""
    return None, f"INSPECT:{data.subject_ref}"[:40], rules.SUBJECT_KINDS.get(data.subject_kind, "")


def _case_applicant(db: Session, data: ConcludeCaseIn | HandoverCaseIn) -> tuple[str | None, str, str]:
    row = fetch(db, Inspection, data.inspection_id, "inspection.not_found", "核查",
                "payload.inspection_id")
    return inspection_subject(row), f"INSPECT:{row.subject_ref}"[:40], row.subject_name


conclusion_applicant = handover_applicant = _case_applicant


# --- plans ------------------------------------------------------------------------------------

def _population(db: Session, kind: str) -> list[str]:
    """Who a random draw is from: active units; persons receiving a benefit (R§42 待遇享受);
    the institutions' register."""
    if kind == "employer":
        return list(db.execute(select(Employer.uscc).where(Employer.status == "active")).scalars())
    if kind == "person":
        return list(db.execute(select(Person.ssn).join(Award, Award.person_id == Person.id)
                               .where(Award.status.in_(("active", "suspended")))
                               .distinct()).scalars())
    found = _institutions["population"](db)
    if found is None:
        raise Conflict("inspection.no_institution_register",
                       "尚无社会保险服务机构名册，不能随机抽查服务机构，请使用定向核查", "method")
    return found


@transactional
def create_plan(db: Session, actor: Actor, data: PlanIn) -> InspectionPlan:
    """核查计划: draw (or list) the subjects and file an inspection of each, in one transaction."""
    require(actor, "oversight.inspect")
    today = clock.today()
    if data.method == "random":
        chosen, population, seed = _draw(db, data, today)
    else:
        chosen = _targets(db, data)
        population, seed = len(chosen), None
    plan = InspectionPlan(name=data.name, method=data.method, subject_kind=data.subject_kind,
                          seed=seed, population=population, size=len(chosen), reason=data.reason,
                          created_on=today, created_by=actor.username)
    db.add(plan)
    db.flush()
    for ref in chosen:
        open_inspection(db, actor, subject_kind=data.subject_kind, subject_ref=ref,
                        reason=data.reason, plan_id=plan.id)
    audit.record(db, actor, "oversight.create_plan", f"inspection_plan:{plan.id}",
                 after={**snapshot(plan), "subjects": chosen}, reason=data.reason)
    return plan


def _draw(db: Session, data: PlanIn, today: dt.date) -> tuple[list[str], int, int]:
    if data.size is None:
        raise InvalidInput("inspection.size", "随机抽查须填写抽取数量", "size")
    largest = agency.param(db, "oversight.inspection.max_sample", today)
    if data.size > largest:
        raise InvalidInput("inspection.size", f"一次随机抽查最多抽取{largest}个对象", "size")
    population = _population(db, data.subject_kind)
    if not population:
        raise Conflict("inspection.empty_population", "没有可供抽取的核查对象", "subject_kind")
    seed = data.seed if data.seed is not None else secrets.randbelow(2**31)
    return rules.sample(population, data.size, seed), len(population), seed


def _targets(db: Session, data: PlanIn) -> list[str]:
    refs = list(dict.fromkeys(r.strip().upper() for r in data.refs if r.strip()))
    if not refs:
        raise InvalidInput("inspection.refs", "定向核查须列明核查对象", "refs")
    for i, ref in enumerate(refs):
        find_subject(db, data.subject_kind, ref, f"refs.{i}")
    return refs


def redraw(db: Session, actor: Actor, plan_id: int) -> list[str]:
    """The subjects a random plan's seed draws from today's population (to check a draw)."""
    plan = get_plan(db, actor, plan_id)
    if plan.method != "random" or plan.seed is None:
        raise Conflict("inspection.not_random", "定向核查计划没有随机种子", "plan_id")
    return rules.sample(_population(db, plan.subject_kind), plan.size, plan.seed)


# --- findings, the order to correct, the correction ------------------------------------------

def _locked(db: Session, inspection_id: int) -> Inspection:
    return fetch(db, Inspection, inspection_id, "inspection.not_found", "核查", "inspection_id",
                 lock=True)


def _open_case(db: Session, case_id: int | None) -> Case | None:
    case = db.get(Case, case_id) if case_id else None
    return case if case is not None and case.status in case_rules.OPEN else None


def submit_again(db: Session, actor: Actor, item_code: str, case_id: int | None, payload: dict,
                 note: str, busy: tuple[str, str]) -> Case:
    """A new case of ``item_code``; or, when the last one was returned by a reviewer, that case
    again with the corrected payload (its next round); refused while it is still under review."""
    earlier = _open_case(db, case_id)
    if earlier is None:
        return cases.submit(db, actor, item_code, payload)
    if earlier.status != "returned":
        raise Conflict(*busy, "case_id")
    return cases.resubmit(db, actor, earlier.id, note or "修改后重新提交", payload)


@transactional
def submit_conclusion(db: Session, actor: Actor, inspection_id: int, data: ConclusionIn) -> Case:
    """核查结论: the findings (and the order to correct) go to two levels of review."""
    require(actor, "oversight.inspect")
    row = _locked(db, inspection_id)
    if row.status != "investigating":
        raise Conflict("inspection.status", f"核查当前状态为“{rules.STATUSES[row.status]}”，不能再提交结论",
                       "inspection_id")
    payload = {"inspection_id": row.id, **data.model_dump(mode="json", exclude_none=True)}
    case = submit_again(db, actor, CONCLUDE_ITEM, row.conclusion_case_id, payload, data.findings[:200],
                        ("inspection.conclusion_open", "该核查的结论正在审核中"))
    row.conclusion_case_id = case.id
    audit.record(db, actor, "oversight.submit_conclusion", inspection_subject(row),
                 after={"case": case.number, "violation": data.violation}, reason=data.findings[:200])
    return case


def conclude_inspection(db: Session, actor: Actor, _key: str | None,
                        data: ConcludeCaseIn) -> Inspection:
    """The act of OVS-INSPECT-CONCLUDE: no violation closes the inspection; a violation orders
    the subject to correct within the period (R§44) and tells it so."""
    act_case(db, actor, CONCLUDE_ITEM)
    row = _locked(db, data.inspection_id)
    if row.status != "investigating":
        raise Conflict("inspection.status", f"核查当前状态为“{rules.STATUSES[row.status]}”，不能作出结论",
                       "payload.inspection_id")
    subject = find_subject(db, row.subject_kind, row.subject_ref)
    today = clock.today()
    row.findings, row.violation = data.findings, data.violation
    if data.violation:
        _order(db, row, data, subject, today)
    else:
        if data.order_text or data.refer:
            raise InvalidInput("inspection.no_violation", "未发现违规的不能责令改正或移交",
                               "payload.violation")
        row.status, row.closed_on = "clean", today
    db.flush()
    audit.record(db, actor, "oversight.conclude_inspection", inspection_subject(row),
                 after=snapshot(row), reason=data.findings[:200], related=subject.key)
    return row


def _order(db: Session, row: Inspection, data: ConclusionIn, subject: Subject,
           today: dt.date) -> None:
    if not data.order_text.strip():
        raise InvalidInput("inspection.order_text", "存在违规的须写明责令改正的事项", "payload.order_text")
    days = data.correction_wd or agency.param(db, "oversight.inspection.correction_wd", today)
    longest = agency.param(db, "oversight.inspection.max_correction_wd", today)
    if problem := rules.correction_problem(days, longest):
        raise InvalidInput("inspection.correction_wd", problem, "payload.correction_wd")
    due = agency.due_date(db, today, days)
    row.order_text, row.refer, row.status = data.order_text, data.refer, "ordered"
    row.ordered_on, row.correction_wd = today, days
    row.correct_by, row.due_provisional = due.due, due.provisional
    notify(db, subject.ref, "inspection_order",
           f"责令改正通知：经核查，{subject.name}存在以下问题：{data.order_text}。请于"
           f"{due_label(due.due, due.provisional)}前（{days}个工作日内）改正并告知经办机构；"
           f"逾期不改正的，将依法移交行政部门处理（《社会保险经办条例》第四十四条）。",
           phone=subject.phone)


@transactional
def record_correction(db: Session, actor: Actor, inspection_id: int,
                      data: CorrectionIn) -> Inspection:
    """改正情况: the inspector has verified that the subject corrected what it was ordered to."""
    require(actor, "oversight.inspect")
    row = _locked(db, inspection_id)
    if row.status != "ordered":
        raise Conflict("inspection.status", f"核查当前状态为“{rules.STATUSES[row.status]}”，没有待改正的事项",
                       "inspection_id")
    if _open_case(db, row.handover_case_id) is not None:
        raise Conflict("inspection.handover_open", "该核查已提请移交，正在审核中", "inspection_id")
    today = clock.today()
    on = data.corrected_on or today
    if not row.ordered_on <= on <= today:
        raise InvalidInput("inspection.corrected_on", "改正日期须在责令改正之日与今天之间", "corrected_on")
    late = "（逾期改正）" if on > row.correct_by else ""
    row.status, row.corrected_on, row.closed_on = "corrected", on, today
    row.correction_note = (data.note + late)[:300]
    db.flush()
    audit.record(db, actor, "oversight.record_correction", inspection_subject(row),
                 after=snapshot(row), reason=data.note)
    return row


# --- the handover (R§44) ----------------------------------------------------------------------

@transactional
def submit_handover(db: Session, actor: Actor, inspection_id: int, data: HandoverIn) -> Case:
    """提请移交: once the deadline to correct has passed unheeded (or the matter falls to the
    department by law), the handover goes to review as an OVS-HANDOVER case."""
    require(actor, "oversight.inspect")
    row = _locked(db, inspection_id)
    if problem := rules.handover_problem(row.status, row.correct_by, clock.today(), row.refer):
        raise Conflict("inspection.handover_not_due", problem, "inspection_id")
    case = submit_again(db, actor, HANDOVER_ITEM, row.handover_case_id,
                        {"inspection_id": row.id, **data.model_dump(mode="json")}, data.note,
                        ("inspection.handover_open", "该核查已提请移交，正在审核中"))
    row.handover_case_id = case.id
    audit.record(db, actor, "oversight.submit_handover", inspection_subject(row),
                 after={"case": case.number, "department": data.department}, reason=data.note)
    return case


def hand_over(db: Session, actor: Actor, _key: str | None, data: HandoverCaseIn) -> Inspection:
    """The act of OVS-HANDOVER: the handover is recorded with its sheet's number."""
    act_case(db, actor, HANDOVER_ITEM)
    row = _locked(db, data.inspection_id)
    today = clock.today()
    if problem := rules.handover_problem(row.status, row.correct_by, today, row.refer):
        raise Conflict("inspection.handover_not_due", problem, "payload.inspection_id")
    row.status, row.department, row.handover_note = "handed_over", data.department, data.note
    row.handed_over_on = today
    row.handover_number = rules.handover_number(today, row.id)
    db.flush()
    audit.record(db, actor, "oversight.hand_over", inspection_subject(row), after=snapshot(row),
                 reason=rules.DEPARTMENTS[data.department])
    return row


# --- reads ------------------------------------------------------------------------------------

def get_inspection(db: Session, actor: Actor, inspection_id: int) -> Inspection:
    require(actor, "oversight.read")
    return fetch(db, Inspection, inspection_id, "inspection.not_found", "核查", "inspection_id")


def inspections(db: Session, actor: Actor, *, status: str | None = None,
                subject_kind: str | None = None, plan_id: int | None = None,
                limit: int = 200) -> list[Inspection]:
    """Inspections, newest first."""
    require(actor, "oversight.read")
    stmt = select(Inspection)
    if status:
        stmt = stmt.where(Inspection.status == status)
    if subject_kind:
        stmt = stmt.where(Inspection.subject_kind == subject_kind)
    if plan_id:
        stmt = stmt.where(Inspection.plan_id == plan_id)
    return newest(db, stmt, Inspection, limit, 5000)


def get_plan(db: Session, actor: Actor, plan_id: int) -> InspectionPlan:
    require(actor, "oversight.read")
    return fetch(db, InspectionPlan, plan_id, "inspection.plan_not_found", "核查计划", "plan_id")


def plans(db: Session, actor: Actor, limit: int = 100) -> list[InspectionPlan]:
    require(actor, "oversight.read")
    return newest(db, select(InspectionPlan), InspectionPlan, limit, 500)


def cases_of(db: Session, row: Inspection) -> dict[str, Case | None]:
    return {name: db.get(Case, cid) if cid else None for name, cid in (
        ("filing", row.case_id), ("conclusion", row.conclusion_case_id),
        ("handover", row.handover_case_id))}


def overdue(row: Inspection, today: dt.date) -> bool:
    return row.status == "ordered" and row.correct_by is not None and today > row.correct_by


def out(db: Session, row: Inspection) -> dict[str, Any]:
    """An inspection as the API and the pages show it."""
    case = db.get(Case, row.case_id)
    return {**columns(row), "case_number": case.number if case else None,
            "scope": rules.SCOPES[row.subject_kind], "status_name": rules.STATUSES[row.status],
            "overdue": overdue(row, clock.today())}


def view(db: Session, actor: Actor, inspection_id: int) -> dict[str, Any]:
    row = get_inspection(db, actor, inspection_id)
    return {"row": row, "shown": out(db, row), "cases": cases_of(db, row),
            "may_hand_over": rules.handover_problem(row.status, row.correct_by, clock.today(),
                                                    row.refer) is None}


def redate_provisional(db: Session, actor: Actor) -> int:
    """Open orders whose deadline to correct was counted over an unpublished year."""
    rows = db.execute(select(Inspection).where(Inspection.due_provisional.is_(True),
                                               Inspection.status == "ordered")).scalars()
    return agency.redate(db, actor, list(rows), lambda r: (r.ordered_on, r.correction_wd),
                         field="correct_by")
