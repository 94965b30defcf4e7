"""Eligibility verification (待遇领取资格核验, R§26).

Continuous, without central certification days (人社厅发〔2018〕54号): a matching run compares
every recipient with the facts other departments shared (deaths, imprisonment and releases,
emigration, loss of nationality) in one set-based statement per kind; self-authentication and
counter checks are recorded as certifications. Whoever has not been confirmed within the policy
interval is listed; such a recipient can be entrusted to the employer or a third party. A
suspected case becomes an investigation (BEN-VERIFY-INVESTIGATE, three levels) that ends in a
stop (through the stop act) or a confirmation (a certification).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, and_, exists, func, insert, literal, or_, select
from sqlalchemy.orm import Session, aliased

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, AwardEvent
from jingban.benefits.stops import rules
from jingban.benefits.stops import service as stops
from jingban.benefits.stops.models import SharedFact
from jingban.benefits.verification.models import (
    Certification,
    VerificationHit,
    VerificationRun,
    VerificationTask,
)
from jingban.benefits.verification.schemas import (
    CertificationIn,
    InvestigationFindings,
    InvestigationIn,
    TaskIn,
    TaskResultIn,
)
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import agency, audit, clock, ids
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.notices.service import notify
from jingban.registration import service as registration
from jingban.registration.models import Employer, Person
from jingban.registration.service import find_person, person_subject

audit.ACT_NAMES.update({
    "benefits.verification_run": "待遇领取资格信息比对",
    "benefits.certify": "待遇领取资格认证",
    "benefits.entrust_verification": "委托核实待遇领取资格",
    "benefits.verification_result": "登记委托核实结果",
    "benefits.open_investigation": "资格疑点转调查核实",
    "benefits.conclude_investigation": "资格调查核实结论",
})

HIT_KINDS = {"death": "死亡", "declared_dead": "被宣告死亡", "imprisonment": "在押服刑",
             "release": "刑满释放", "emigration": "移居境外（定居）", "nationality_loss": "丧失国籍",
             "task": "委托核实存疑"}
HIT_STATUS = {"open": "待处理", "investigating": "调查中", "stopped": "已停发（暂停）",
              "confirmed": "已确认资格", "resumed": "已恢复发放"}
METHODS = {"face": "人脸识别认证", "remote": "远程视频认证", "counter": "柜台认证",
           "employer": "用人单位核实", "third_party": "第三方机构核实", "investigation": "调查核实"}
SELF_METHODS = ("face", "remote")
TASK_RESULTS = {"alive": "确认符合领取条件", "suspect": "疑似丧失领取资格", "unreachable": "无法联系本人"}
INVESTIGATE_ITEM = "BEN-VERIFY-INVESTIGATE"
IN_FORCE = ("active", "suspended")
UNRESOLVED = ("open", "investigating")
MAX_ID = 2**62

# kind -> which awards a fact of that kind puts in doubt (status, and any other condition)
MATCH_KINDS = ("death", "declared_dead", "imprisonment", "release", "emigration",
               "nationality_loss")


def _require(actor: Actor) -> None:
    """Clerks and inspectors; the investigation's conclusion runs as an approved case."""
    require(actor, {"case": "cases.act"}.get(actor.channel, "benefits.verify"))




def _award_in_force(db: Session, person: Person) -> Award:
    award = db.execute(select(Award).where(Award.person_id == person.id,
                                           Award.status.in_(IN_FORCE))
                       .order_by(Award.id).limit(1)).scalar()
    if award is None:
        raise Conflict("verification.no_award", "该参保人没有在发待遇，无需核验领取资格", "ssn")
    return award


# --- the matching run ------------------------------------------------------------------------

def _match_condition(kind: str, fact: Any):
    """Which awards a fact of ``kind`` puts in doubt."""
    if kind == "release":  # a suspended award whose person has been released since
        suspended = exists().where(AwardEvent.award_id == Award.id, AwardEvent.kind == "suspend",
                                   AwardEvent.event_date <= fact.fact_date)
        return and_(Award.status == "suspended", suspended)
    if kind == "imprisonment":  # in custody, and no release shared since
        release = aliased(SharedFact)
        released = exists().where(release.ssn == fact.ssn, release.kind == "release",
                                  release.fact_date >= fact.fact_date)
        return and_(Award.status == "active", ~released)
    if kind == "nationality_loss":
        return and_(Award.status.in_(IN_FORCE), Award.kind.in_(rules.NATIONALITY_KINDS))
    if kind in ("death", "declared_dead"):
        return and_(Award.status.in_(IN_FORCE), Award.kind.not_in(rules.DEPENDANT_KINDS))
    return Award.status.in_(IN_FORCE)


def _match(db: Session, run: VerificationRun, kind: str, now: dt.datetime) -> None:
    """One INSERT … SELECT: every award in doubt through a fact of this kind that has not been
    matched to it before, unless the award already has an unresolved doubt of the kind."""
    fact, hit = aliased(SharedFact), aliased(VerificationHit)
    seen = exists().where(hit.award_id == Award.id, hit.kind == kind,
                          or_(hit.fact_id == fact.id, hit.status.in_(UNRESOLVED)))
    chosen = (select(literal(run.id), Award.id, Award.person_id, literal(kind),
                     func.min(fact.id), func.min(fact.fact_date), literal("open"),
                     literal(now, DateTime(timezone=True)))
              .join(Person, Person.id == Award.person_id)
              .join(fact, and_(fact.ssn == Person.ssn, fact.kind == kind))
              .where(_match_condition(kind, fact), ~seen)
              .group_by(Award.id, Award.person_id))
    columns = ["run_id", "award_id", "person_id", "kind", "fact_id", "fact_date", "status",
               "created_at"]
    db.execute(insert(VerificationHit).from_select(columns, chosen))


@transactional
def run_matching(db: Session, actor: Actor,
                 progress: Callable[[str], None] | None = None) -> VerificationRun:
    """资格比对 of every recipient against the shared facts, once per day: a second run the
    same day returns the first (``repeat``). New doubts become open hits."""
    require(actor, "benefits.verify")
    today, now = clock.today(), clock.now()
    if earlier := db.execute(select(VerificationRun).where(VerificationRun.run_on == today)).scalar():
        earlier.repeat = True
        return earlier
    run = VerificationRun(run_on=today, started_by=actor.username, started_at=now)
    db.add(run)
    db.flush()
    for kind in MATCH_KINDS:
        _match(db, run, kind, now)
        if progress:
            progress(kind)
    # Counted, not summed from rowcount: psycopg reports -1 for INSERT … SELECT here.
    run.hits = db.execute(select(func.count()).select_from(VerificationHit)
                          .where(VerificationHit.run_id == run.id)).scalar()
    run.recipients = db.execute(select(func.count()).select_from(Award)
                                .where(Award.status.in_(IN_FORCE))).scalar()
    run.unconfirmed = db.execute(_unconfirmed(_cutoff(db, today))
                                 .with_only_columns(func.count())).scalar()
    run.finished_at = clock.now()
    if progress:
        progress("unconfirmed")
    audit.record(db, actor, "benefits.verification_run", f"verification_run:{run.run_on}",
                 after=snapshot(run))
    run.repeat = False
    return run


# --- who has not been confirmed -----------------------------------------------------------------

def _cutoff(db: Session, today: dt.date) -> dt.date:
    """Confirmations before this day are too old (the policy interval, in months)."""
    months = agency.param(db, "benefits.verification.interval_months", today)
    year, month = common_rules.add_months(today.year, today.month, -months)
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _unconfirmed(cutoff: dt.date):
    """Active awards decided before the cutoff whose person has no certification since, and
    that are not entrusted to anyone right now."""
    confirmed = exists().where(Certification.person_id == Award.person_id,
                               Certification.confirmed_on >= cutoff)
    entrusted = exists().where(VerificationTask.award_id == Award.id,
                               VerificationTask.status == "open")
    return (select(Award.id).where(Award.status == "active", Award.decided_on < cutoff,
                                   ~confirmed, ~entrusted))


def unconfirmed(db: Session, actor: Actor, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """待核实名单: recipients not confirmed within the interval, with their last confirmation."""
    require(actor, "benefits.read")
    today = clock.today()
    cutoff = _cutoff(db, today)
    stmt = _unconfirmed(cutoff)
    total = db.execute(stmt.with_only_columns(func.count())).scalar()
    last = (select(func.max(Certification.confirmed_on))
            .where(Certification.person_id == Award.person_id).scalar_subquery())
    rows = db.execute(stmt.with_only_columns(Award, Person, last.label("last"))
                      .join(Person, Person.id == Award.person_id)
                      .order_by(Award.id).limit(max(1, min(limit, 500))).offset(max(0, offset))).all()
    return {"cutoff": cutoff, "total": total,
            "rows": [{"award_id": a.id, "kind": a.kind, "ssn": p.ssn, "name": p.name,
                      "decided_on": a.decided_on, "last_confirmed": lc} for a, p, lc in rows]}


# --- certifications and entrusted checks ---------------------------------------------------------

@transactional
def certify(db: Session, actor: Actor, ssn: str, data: CertificationIn) -> Certification:
    """资格认证: the person by face or remote self-service (in the portal or the app), or
    staff at the counter or on an employer's or third party's word."""
    person = find_person(db, ssn)
    if actor.subject == person_subject(person):
        if data.method not in SELF_METHODS:
            raise InvalidInput("certify.method", "本人只能通过人脸识别或远程视频认证", "method")
    else:
        require(actor, "benefits.verify")
    _award_in_force(db, person)
    today = clock.today()
    on = data.confirmed_on or today
    if on > today:
        raise InvalidInput("certify.confirmed_on", "认证日期不能晚于今天", "confirmed_on")
    row = Certification(person_id=person.id, method=data.method, confirmed_on=on,
                        reference=data.reference, recorded_by=actor.username)
    db.add(row)
    db.flush()
    audit.record(db, actor, "benefits.certify", person_subject(person), after=snapshot(row),
                 reason=METHODS[data.method])
    return row


@transactional
def entrust(db: Session, actor: Actor, ssn: str, data: TaskIn) -> VerificationTask:
    """委托核实 (R§26): to the employer or a third party, with a due date."""
    require(actor, "benefits.verify")
    person = find_person(db, ssn)
    award = _award_in_force(db, person)
    key = ids.validate_uscc(data.agent_key, "agent_key")
    name = data.agent_name
    if data.agent_kind == "employer":
        employer = db.execute(select(Employer).where(Employer.uscc == key)).scalar()
        if employer is None:
            raise NotFound("employer.not_found", f"未找到统一社会信用代码为 {key} 的参保单位", "agent_key")
        name = employer.name
    elif not name:
        raise InvalidInput("verification.agent_name", "委托第三方机构须填写机构名称", "agent_name")
    if db.execute(select(VerificationTask.id).where(VerificationTask.award_id == award.id,
                                                    VerificationTask.status == "open")).first():
        raise Conflict("verification.task_open", "该人员已有未完成的委托核实任务", "ssn")
    today = clock.today()
    due = agency.due_date(db, today, agency.param(db, "benefits.verification.task_wd", today))
    task = VerificationTask(person_id=person.id, award_id=award.id, agent_kind=data.agent_kind,
                            agent_key=key, agent_name=name, entrusted_on=today, due_on=due.due,
                            due_provisional=due.provisional, entrusted_by=actor.username,
                            status="open")
    db.add(task)
    db.flush()
    notify(db, key, "verification", f"经办机构委托贵单位核实{person.name}（社会保障号码尾号"
                                    f"{person.ssn[-4:]}）的待遇领取资格，请于{due.label}前反馈核实结果"
                                    "（《社会保险经办条例》第二十六条）。")
    audit.record(db, actor, "benefits.entrust_verification", person_subject(person),
                 after=snapshot(task))
    return task


@transactional
def record_result(db: Session, actor: Actor, task_id: int, data: TaskResultIn) -> VerificationTask:
    """The entrusted party's answer: confirmed (a certification) or a doubt (an open hit)."""
    require(actor, "benefits.verify")
    task = db.execute(select(VerificationTask).where(VerificationTask.id == task_id)
                      .with_for_update()).scalar() if 0 < task_id <= 2**31 - 1 else None
    if task is None:
        raise NotFound("verification.task_not_found", f"未找到委托核实任务 {task_id}", "task_id")
    if task.status != "open":
        raise Conflict("verification.task_done", "该委托核实任务已登记结果", "task_id")
    today = clock.today()
    task.status, task.result, task.result_on, task.result_note = "done", data.result, today, data.note
    if data.result == "alive":
        db.add(Certification(person_id=task.person_id, method=task.agent_kind, confirmed_on=today,
                             reference=f"verification_task:{task.id}", recorded_by=actor.username))
    else:
        db.add(VerificationHit(award_id=task.award_id, person_id=task.person_id, kind="task",
                               task_id=task.id, status="open", created_at=clock.now()))
    db.flush()
    audit.record(db, actor, "benefits.verification_result", f"person:{task.person_id}",
                 after=snapshot(task), reason=TASK_RESULTS[data.result])
    return task


# --- investigations ------------------------------------------------------------------------------

def _hit(db: Session, hit_id: int, *, lock: bool = False) -> VerificationHit:
    stmt = select(VerificationHit).where(VerificationHit.id == hit_id)
    found = db.execute(stmt.with_for_update() if lock else stmt).scalar() \
        if 0 < hit_id <= MAX_ID else None
    if found is None:
        raise NotFound("verification.hit_not_found", f"未找到比对疑点 {hit_id}", "hit_id")
    return found


@transactional
def open_investigation(db: Session, actor: Actor, hit_id: int,
                       data: InvestigationFindings) -> Case:
    """调查核实: the clerk's findings and proposed conclusion go to three levels of review as a
    BEN-VERIFY-INVESTIGATE case; on final approval the conclusion takes effect."""
    require(actor, "benefits.verify")
    hit = _hit(db, hit_id, lock=True)
    if hit.status != "open":
        raise Conflict("verification.hit_status", f"该疑点当前状态为“{HIT_STATUS[hit.status]}”，不能转调查",
                       "hit_id")
    if hit.kind == "release":
        raise Conflict("verification.release", "刑满释放人员恢复发放请办理“恢复暂停发放的待遇”业务", "hit_id")
    person = db.get(Person, hit.person_id)
    payload = {"ssn": person.ssn, "hit_id": hit.id, **data.model_dump(mode="json")}
    case = cases.submit(db, actor, INVESTIGATE_ITEM, payload, provided=["investigation_record"])
    hit.status, hit.case_id = "investigating", case.id
    audit.record(db, actor, "benefits.open_investigation", person_subject(person),
                 after={"hit": hit.id, "case": case.number, "conclusion": data.conclusion},
                 reason=data.findings)
    return case


@transactional
def conclude_investigation(db: Session, actor: Actor, ssn: str, data: InvestigationIn) -> Person:
    """The act of BEN-VERIFY-INVESTIGATE: stop (or suspend) through the stop act, or confirm
    the person as still entitled (a certification)."""
    _require(actor)
    person = find_person(db, ssn)
    hit = _hit(db, data.hit_id, lock=True)
    if hit.person_id != person.id:
        raise InvalidInput("verification.hit_person", "该疑点不属于此参保人", "payload.hit_id")
    if hit.status not in UNRESOLVED:
        raise Conflict("verification.hit_closed", "该疑点已处理完毕", "payload.hit_id")
    today = clock.today()
    if data.conclusion == "stop":
        _stop(db, actor, person, hit, data, today)
        hit.status = "stopped"
    else:
        db.add(Certification(person_id=person.id, method="investigation", confirmed_on=today,
                             reference=f"verification_hit:{hit.id}", recorded_by=actor.username))
        hit.status = "confirmed"
    hit.closed_on = today
    db.flush()
    audit.record(db, actor, "benefits.conclude_investigation", person_subject(person),
                 after={"hit": hit.id, "status": hit.status}, reason=data.findings)
    return person


def _stop(db: Session, actor: Actor, person: Person, hit: VerificationHit, data: InvestigationIn,
          today: dt.date) -> None:
    if data.reason is None or data.event_date is None:
        raise InvalidInput("verification.reason", "结论为停发的，须填写停发事由及其发生日期",
                           "payload.reason")
    if not person.birth_date <= data.event_date <= today:
        raise InvalidInput("stop.event_date", "事由发生日期须在出生日期之后且不晚于今天",
                           "payload.event_date")
    awards = stops.applicable(db, person, data.reason)
    if not awards:
        raise Conflict("stop.no_award", "该参保人没有因该事由可停发或暂停的在发待遇", "payload.reason")
    if data.reason in stops.DEATHS and person.status == "active":
        registration.record_death(db, actor, person.ssn, data.event_date, "资格核验调查确认死亡")
    stops.report_event(db, actor, person, awards, reason=data.reason, event_date=data.event_date,
                       reported_on=today, source="verification", reporter_name="资格核验",
                       phone="", source_ref=f"verification_hit:{hit.id}", note=data.findings)


def close_hits(db: Session, award_id: int, today: dt.date) -> None:
    """An award was resumed (stops.on_resumed): its open release/imprisonment hits are done."""
    for hit in db.execute(select(VerificationHit).where(
            VerificationHit.award_id == award_id, VerificationHit.kind.in_(["release", "imprisonment"]),
            VerificationHit.status.in_(["open", "investigating"]))).scalars():
        hit.status, hit.closed_on = "resumed", today


# --- reads -----------------------------------------------------------------------------------------

def hits(db: Session, actor: Actor, statuses: tuple[str, ...] = UNRESOLVED,
         limit: int = 200) -> list[dict[str, Any]]:
    """比对疑点, oldest first, with the person."""
    require(actor, "benefits.read")
    rows = db.execute(select(VerificationHit, Person, Case.number)
                      .join(Person, Person.id == VerificationHit.person_id)
                      .outerjoin(Case, Case.id == VerificationHit.case_id)
                      .where(VerificationHit.status.in_(statuses))
                      .order_by(VerificationHit.id).limit(max(1, min(limit, 1000)))).all()
    return [{"id": h.id, "run_id": h.run_id, "award_id": h.award_id, "kind": h.kind,
             "kind_name": HIT_KINDS.get(h.kind, h.kind), "fact_date": h.fact_date,
             "status": h.status, "status_name": HIT_STATUS.get(h.status, h.status),
             "case_id": h.case_id, "case_number": number, "ssn": p.ssn, "name": p.name}
            for h, p, number in rows]


def tasks(db: Session, actor: Actor, status: str | None = "open",
          limit: int = 200) -> list[tuple[VerificationTask, Person]]:
    require(actor, "benefits.read")
    stmt = select(VerificationTask, Person).join(Person, Person.id == VerificationTask.person_id)
    if status:
        stmt = stmt.where(VerificationTask.status == status)
    return list(db.execute(stmt.order_by(VerificationTask.id.desc())
                           .limit(max(1, min(limit, 500)))).all())


def runs(db: Session, actor: Actor, limit: int = 20) -> list[VerificationRun]:
    require(actor, "benefits.read")
    return list(db.execute(select(VerificationRun).order_by(VerificationRun.run_on.desc())
                           .limit(max(1, min(limit, 200)))).scalars())


def certifications(db: Session, actor: Actor, ssn: str) -> list[Certification]:
    person = find_person(db, ssn)
    if actor.subject != person_subject(person):
        require(actor, "benefits.read")
    return list(db.execute(select(Certification).where(Certification.person_id == person.id)
                           .order_by(Certification.confirmed_on.desc(), Certification.id.desc()))
                .scalars())


def redate_provisional(db: Session, actor: Actor) -> int:
    """Open entrusted tasks whose feedback deadline was counted over an unpublished year."""
    rows = db.execute(select(VerificationTask).where(VerificationTask.due_provisional.is_(True),
                                                     VerificationTask.status == "open")).scalars()
    return agency.redate(db, actor, list(rows), lambda t: (
        t.entrusted_on, agency.param(db, "benefits.verification.task_wd", t.entrusted_on)))
