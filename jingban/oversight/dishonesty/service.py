"""Acts of the serious-dishonesty list (严重失信主体名单, R§45; seed 002; SPEC §7).

The inspector proposes a subject whose recorded credit records (recovery writes some) meet the
criteria, serves the prior notice with the right to state its case, and after that period
submits the decision case (OVS-DISHONESTY-LIST, 初审+复核); its approval lists and publishes.
The subject may object (OVS-DISHONESTY-OBJECTION) or, after the shortest period, apply for
credit repair (OVS-DISHONESTY-REPAIR); at the end of the period the listing is removed. Every
step is a line of the subject's credit history (oversight.service.credit_history)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.cases import parties
from jingban.cases import rules as case_rules
from jingban.cases import service as cases
from jingban.cases.models import Case, CaseStep
from jingban.core import agency, audit, clock, privacy
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.core.excel import workbook
from jingban.core.workdays import due_label
from jingban.notices.service import notify
from jingban.oversight import rules as credit_rules
from jingban.oversight import service as credits
from jingban.oversight.dishonesty import rules
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.oversight.dishonesty.schemas import ListingAct, ProposalIn, StatementIn
from jingban.oversight.models import CreditRecord

ITEM_LIST, ITEM_OBJECTION, ITEM_REPAIR = ("OVS-DISHONESTY-LIST", "OVS-DISHONESTY-OBJECTION",
                                          "OVS-DISHONESTY-REPAIR")
PARTY_FIELDS = {"person": "ssn", "employer": "uscc"}
audit.ACT_NAMES.update({
    "oversight.dishonesty_propose": "拟列入严重失信主体名单", "oversight.dishonesty_notice": "事先告知",
    "oversight.dishonesty_statement": "记录陈述申辩", "oversight.dishonesty_list": "列入严重失信主体名单",
    "oversight.dishonesty_drop": "不予列入", "oversight.dishonesty_revoke": "异议成立撤销列入",
    "oversight.dishonesty_repair": "信用修复移出", "oversight.dishonesty_remove": "期满移出名单",
    "oversight.dishonesty_submit": "提交列入审批", "oversight.dishonesty_objection": "受理异议",
    "oversight.dishonesty_repair_apply": "受理信用修复申请",
})


def listing_subject(listing: DishonestyListing) -> str:
    return f"dishonesty_listing:{listing.id}"


def _param(db: Session, name: str):
    return agency.param(db, f"oversight.dishonesty.{name}", clock.today())


def _party(db: Session, kind: str, key: str) -> parties.Party | None:
    """The registered person or unit, when the subject is one (an institution is not)."""
    field = PARTY_FIELDS.get(kind)
    return parties.find(db, field, key) if field else None


def _locked(db: Session, listing_id: int) -> DishonestyListing:
    stmt = select(DishonestyListing).where(DishonestyListing.id == listing_id).with_for_update()
    found = db.execute(stmt).scalar()
    if found is None:
        raise NotFound("dishonesty.not_found", f"未找到名单条目 {listing_id}", "listing_id")
    db.refresh(found)
    return found


def _step(db: Session, actor: Actor, listing: DishonestyListing, step: str, note: str,
          act: str, before: dict | None = None) -> None:
    credits.record_step(db, actor, listing.subject_kind, listing.subject_key, step, note,
                        listing_subject(listing))
    audit.record(db, actor, act, listing_subject(listing), before=before, after=snapshot(listing),
                 reason=note, related=listing.party_subject)


def _tell(db: Session, listing: DishonestyListing, message: str, case_id: int | None = None) -> None:
    """A notice to the subject, naming the entry it can quote at the counter."""
    party = _party(db, listing.subject_kind, listing.subject_key)
    notify(db, listing.subject_key, "dishonesty", f"{message}（名单条目编号 {listing.id}）",
           phone=party.phone if party else "", case_id=case_id)


def _records(db: Session, kind: str, key: str) -> list[CreditRecord]:
    stmt = select(CreditRecord).where(CreditRecord.subject_kind == kind,
                                      CreditRecord.subject_key == key,
                                      CreditRecord.status == "recorded").order_by(CreditRecord.id)
    return list(db.execute(stmt).scalars())


# --- proposal, notice, statement ------------------------------------------------------------------

@transactional
def propose(db: Session, actor: Actor, data: ProposalIn) -> DishonestyListing:
    """拟列入: refused unless the subject's recorded credit records meet the criteria, and while
    the subject has a proposal or listing in force."""
    require(actor, "oversight.dishonesty")
    key = data.subject_key.upper()
    party = _party(db, data.subject_kind, key)
    active = db.execute(select(DishonestyListing.id).where(
        DishonestyListing.subject_kind == data.subject_kind, DishonestyListing.subject_key == key,
        DishonestyListing.status.in_(rules.ACTIVE))).first()
    if active:
        raise Conflict("dishonesty.active", f"该主体已有在办或在列的名单条目 {active[0]}", "subject_key")
    records = _records(db, data.subject_kind, key)
    names = {code: name for code, (name, _) in credit_rules.CREDIT_ACTS.items()}
    found = rules.meets_criteria([rules.Credit(r.id, r.act, r.recorded_on) for r in records],
                                 clock.today(), _param(db, "criteria"), names)
    if found is None:
        raise InvalidInput("dishonesty.criteria", "该主体已记录的失信行为未达到严重失信主体名单认定标准"
                                                  "（《社会保险经办条例》第四十五条）", "subject_key")
    named = party.name if party else next((r.subject_name for r in reversed(records)
                                           if r.subject_name), "")
    listing = DishonestyListing(
        subject_kind=data.subject_kind, subject_key=key, subject_name=named,
        party_subject=party.subject if party else None, status="proposed",
        criterion=found.criterion, facts=found.text, basis=rules.BASIS,
        credit_ids=",".join(str(i) for i in found.record_ids), reason=data.reason,
        inspection_case_id=data.inspection_case_id, proposed_on=clock.today(),
        proposed_by=actor.username)
    db.add(listing)
    db.flush()
    _step(db, actor, listing, "proposed", f"{found.text}；{data.reason}", "oversight.dishonesty_propose")
    return listing


@transactional
def serve_notice(db: Session, actor: Actor, listing_id: int) -> DishonestyListing:
    """事先告知: the facts, the reason, the basis and the right to state one's case within the
    period (working days from the day after the notice)."""
    require(actor, "oversight.dishonesty")
    listing = _locked(db, listing_id)
    if listing.status != "proposed":
        raise Conflict("dishonesty.status", f"当前状态为“{rules.STATUSES[listing.status]}”，不能再次告知",
                       "listing_id")
    before = snapshot(listing)
    days = int(_param(db, "statement_wd"))
    due = agency.due_date(db, clock.today(), days)
    listing.status, listing.noticed_on = "noticed", clock.today()
    listing.statement_due, listing.due_provisional = due.due, due.provisional
    shown = due_label(due.due, due.provisional)
    _tell(db, listing, f"事先告知：经办机构拟将您列入社会保险领域严重失信主体名单。事实：{listing.facts}；"
                       f"理由：{listing.reason}；依据：{listing.basis}。您有权在{days}个工作日内"
                       f"（{shown}前）向经办机构陈述、申辩，期满未提出的视为放弃。")
    _step(db, actor, listing, "noticed", f"陈述申辩期限至{shown}（{days}个工作日）",
          "oversight.dishonesty_notice", before)
    return listing


@transactional
def record_statement(db: Session, actor: Actor, listing_id: int, data: StatementIn
                     ) -> DishonestyListing:
    """陈述申辩 within the period: taken at the counter, by the inspector, or online by the
    subject itself."""
    listing = _locked(db, listing_id)
    _may_state(db, actor, listing)
    if listing.status != "noticed":
        raise Conflict("dishonesty.status", "只能在事先告知后、作出决定前陈述申辩", "listing_id")
    if clock.today() > listing.statement_due:
        raise Conflict("dishonesty.statement_late",
                       f"陈述申辩期限已于{listing.statement_due.isoformat()}届满", "text")
    before = snapshot(listing)
    listing.statement = "\n".join(x for x in (listing.statement, data.text) if x)[:4000]
    _step(db, actor, listing, "statement", data.text, "oversight.dishonesty_statement", before)
    return listing


def _may_state(db: Session, actor: Actor, listing: DishonestyListing) -> None:
    if actor.subject is None:
        require(actor, "oversight.dishonesty_statement")
    elif actor.subject != listing.party_subject:
        raise NotFound("dishonesty.not_found", f"未找到名单条目 {listing.id}", "listing_id")


@transactional
def drop(db: Session, actor: Actor, listing_id: int, reason: str) -> DishonestyListing:
    """不予列入: the statement is accepted, or the proposal is not pursued."""
    require(actor, "oversight.dishonesty")
    listing = _locked(db, listing_id)
    if listing.status not in {"proposed", "noticed"}:
        raise Conflict("dishonesty.status", f"当前状态为“{rules.STATUSES[listing.status]}”，不能终止",
                       "listing_id")
    if not reason.strip():
        raise InvalidInput("dishonesty.reason", "不予列入须说明理由", "reason")
    before = snapshot(listing)
    listing.status, listing.ended_on, listing.end_reason = "dropped", clock.today(), reason
    _step(db, actor, listing, "dropped", reason, "oversight.dishonesty_drop", before)
    return listing


# --- the decision case ------------------------------------------------------------------------------

@transactional
def submit_decision(db: Session, actor: Actor, listing_id: int, reason: str) -> Case:
    """列入审批: the decision case; its intake tries the act, so a listing without the prior
    notice, or before the period to state one's case ends, is refused here and nothing kept."""
    require(actor, "oversight.dishonesty")
    listing = _locked(db, listing_id)
    case = cases.submit(db, actor, ITEM_LIST, {"listing_id": listing.id, "reason": reason})
    listing.decision_case_id = case.id
    _step(db, actor, listing, "decision_case", f"业务件{case.number}：{reason}",
          "oversight.dishonesty_submit")
    return case


def list_subject(db: Session, actor: Actor, _key, data: ListingAct) -> DishonestyListing:
    """The decision case's act (final approval): list and publish for the period."""
    listing = _locked(db, data.listing_id)
    if problem := rules.decision_problem(listing.status, clock.today(), listing.statement_due):
        raise Conflict(*problem, "payload.listing_id")
    before = snapshot(listing)
    today = clock.today()
    months, repair = int(_param(db, "listing_months")), int(_param(db, "repair_months"))
    listing.status, listing.listed_on = "listed", today
    listing.listed_until = rules.add_months(today, months)
    listing.repair_from = rules.add_months(today, repair)
    listing.decision_case_id = actor.case_id or listing.decision_case_id
    _tell(db, listing, "经审核，您已被列入社会保险领域严重失信主体名单，"
                       f"公示至{listing.listed_until.isoformat()}。"
                       f"事实：{listing.facts}；依据：{listing.basis}。如有异议，可向经办机构提出；"
                       f"纠正失信行为并满{repair}个月后可申请信用修复（《社会保险经办条例》第五十二条）。",
          actor.case_id)
    _step(db, actor, listing, "listed", f"{data.reason}；公示期{months}个月，至{listing.listed_until}",
          "oversight.dishonesty_list", before)
    return listing


def decision_applicant(db: Session, data: ListingAct) -> tuple[str | None, str, str]:
    """The decision case is the agency's own: the subject is told by the acts, not the engine."""
    return f"dishonesty_listing:{data.listing_id}", "OVS:DISHONESTY", "严重失信主体名单"


def subject_applicant(db: Session, data: ListingAct) -> tuple[str | None, str, str]:
    """An objection or a repair is the subject's own application."""
    listing = db.get(DishonestyListing, data.listing_id)
    if listing is None:
        raise NotFound("dishonesty.not_found", f"未找到名单条目 {data.listing_id}", "payload.listing_id")
    return (listing.party_subject or listing_subject(listing), listing.subject_key,
            listing.subject_name)


def case_subject(listing: DishonestyListing) -> str:
    return listing.party_subject or listing_subject(listing)


# --- objection, repair, removal ---------------------------------------------------------------------

@transactional
def file_objection(db: Session, actor: Actor, listing_id: int, reason: str) -> Case:
    """异议: the subject disputes a listing (at the counter or online); reviewed as a case."""
    listing = _locked(db, listing_id)
    if listing.status != "listed":
        raise Conflict("dishonesty.status", "只能对已列入名单的条目提出异议", "listing_id")
    case = cases.submit(db, actor, ITEM_OBJECTION, {"listing_id": listing.id, "reason": reason})
    listing.objection_case_id = case.id
    _step(db, actor, listing, "objection", f"业务件{case.number}：{reason}",
          "oversight.dishonesty_objection")
    return case


def uphold_objection(db: Session, actor: Actor, _key, data: ListingAct) -> DishonestyListing:
    """The objection case's act: upheld, the listing is revoked and its publication ends."""
    listing = _locked(db, data.listing_id)
    if listing.status != "listed":
        raise Conflict("dishonesty.status", "该条目不在名单中", "payload.listing_id")
    before = snapshot(listing)
    listing.status, listing.ended_on, listing.end_reason = "revoked", clock.today(), data.reason
    listing.objection_case_id = actor.case_id or listing.objection_case_id
    _tell(db, listing, f"您对列入严重失信主体名单提出的异议经审核成立，已撤销列入并停止公示：{data.reason}",
          actor.case_id)
    _step(db, actor, listing, "objection_upheld", data.reason, "oversight.dishonesty_revoke", before)
    return listing


@transactional
def apply_repair(db: Session, actor: Actor, listing_id: int, reason: str,
                 provided: list[str] | None = None) -> Case:
    """信用修复 application: the subject shows it has corrected the act (repaid, enrolled)."""
    listing = _locked(db, listing_id)
    if problem := rules.repair_problem(listing.status, clock.today(), listing.repair_from):
        raise Conflict(*problem, "listing_id")
    case = cases.submit(db, actor, ITEM_REPAIR, {"listing_id": listing.id, "reason": reason},
                        provided=provided)
    listing.repair_case_id = case.id
    _step(db, actor, listing, "repair_applied", f"业务件{case.number}：{reason}",
          "oversight.dishonesty_repair_apply")
    return case


def repair(db: Session, actor: Actor, _key, data: ListingAct) -> DishonestyListing:
    """The repair case's act: removed from the list before the end of its period."""
    listing = _locked(db, data.listing_id)
    if problem := rules.repair_problem(listing.status, clock.today(), listing.repair_from):
        raise Conflict(*problem, "payload.listing_id")
    before = snapshot(listing)
    listing.status, listing.ended_on, listing.end_reason = "repaired", clock.today(), data.reason
    listing.repair_case_id = actor.case_id or listing.repair_case_id
    _tell(db, listing, f"您的信用修复申请经审核通过，已移出严重失信主体名单并停止公示：{data.reason}",
          actor.case_id)
    _step(db, actor, listing, "repaired", data.reason, "oversight.dishonesty_repair", before)
    return listing


@transactional
def remove(db: Session, actor: Actor, listing_id: int) -> DishonestyListing:
    """期满移出: refused before the end of the period."""
    require(actor, "oversight.dishonesty")
    listing = _locked(db, listing_id)
    return _remove(db, actor, listing)


def _remove(db: Session, actor: Actor, listing: DishonestyListing) -> DishonestyListing:
    if problem := rules.removal_problem(listing.status, clock.today(), listing.listed_until):
        raise Conflict(*problem, "listing_id")
    before = snapshot(listing)
    listing.status, listing.ended_on = "removed", clock.today()
    listing.end_reason = f"名单有效期已于{listing.listed_until.isoformat()}届满"
    _tell(db, listing, "您被列入社会保险领域严重失信主体名单的期限已届满，已移出名单并停止公示。")
    _step(db, actor, listing, "removed", listing.end_reason, "oversight.dishonesty_remove", before)
    return listing


@transactional
def remove_expired(db: Session, actor: Actor, listing_ids: list[int]) -> int:
    """One batch of the sweep: those of ``listing_ids`` still listed and past their period."""
    require(actor, "oversight.dishonesty")
    done = 0
    for listing_id in listing_ids:
        listing = _locked(db, listing_id)
        if listing.status == "listed" and listing.listed_until <= clock.today():
            _remove(db, actor, listing)
            done += 1
    return done


def expired_ids(db: Session, on: dt.date) -> list[int]:
    stmt = select(DishonestyListing.id).where(DishonestyListing.status == "listed",
                                              DishonestyListing.listed_until <= on)
    return list(db.execute(stmt.order_by(DishonestyListing.id)).scalars())


# --- reads -------------------------------------------------------------------------------------------

def listings(db: Session, actor: Actor, status: str | None = None,
             limit: int = 200) -> list[DishonestyListing]:
    require(actor, "oversight.read")
    stmt = select(DishonestyListing)
    if status:
        stmt = stmt.where(DishonestyListing.status == status)
    stmt = stmt.order_by(DishonestyListing.id.desc()).limit(max(1, min(limit, 500)))
    return list(db.execute(stmt).scalars())


def get(db: Session, actor: Actor, listing_id: int) -> DishonestyListing:
    """One entry: for oversight readers, the counter that takes statements, objections and
    repair applications, and the subject itself."""
    if not (can(actor, "oversight.read") or can(actor, "oversight.dishonesty_statement")
            or actor.subject):
        raise PermissionDenied("auth.forbidden", "无权查看名单条目")
    found = db.get(DishonestyListing, listing_id)
    if found is None or (actor.subject and actor.subject != found.party_subject):
        raise NotFound("dishonesty.not_found", f"未找到名单条目 {listing_id}", "listing_id")
    if actor.subject is None:  # 查询留痕: staff looked at a subject's credit file
        audit.log_access(db, actor, found.party_subject or listing_subject(found), "dishonesty.entry")
    return found


def published(db: Session) -> list[DishonestyListing]:
    """The public list (no login): listed and within the period."""
    today = clock.today()
    stmt = select(DishonestyListing).where(DishonestyListing.status == "listed",
                                           DishonestyListing.listed_until > today)
    return list(db.execute(stmt.order_by(DishonestyListing.listed_on.desc(),
                                         DishonestyListing.id.desc())).scalars())


def history(db: Session, actor: Actor, listing: DishonestyListing) -> list[dict]:
    """The subject's credit history, with the review steps of the listing's cases (a returned
    objection or repair is shown with its reason)."""
    lines = credits.credit_history(db, actor, listing.subject_kind, listing.subject_key)
    ids = [i for i in (listing.decision_case_id, listing.objection_case_id, listing.repair_case_id) if i]
    names = {"approve": "审核通过", "reject": "审核退回（不予通过）"}
    steps = db.execute(select(CaseStep, Case.number).join(Case, Case.id == CaseStep.case_id).where(
        CaseStep.case_id.in_(ids), CaseStep.action.in_(names))).all() if ids else []
    lines += [{"on": s.at.date(), "at": s.at, "step": f"case_{s.action}",
               "name": f"业务件{number}第{s.level}级{names[s.action]}", "note": s.note, "by": s.actor,
               "ref": f"case:{s.case_id}"} for s, number in steps]
    return sorted(lines, key=lambda line: (line["on"], str(line["at"])))


# --- the subject's own view (portal) ---------------------------------------------------------------

def mine(db: Session, actor: Actor) -> list[DishonestyListing]:
    """The signed-in person's or unit's own entries, newest first (a proposal it has not yet
    been told of is not shown: it learns of it by the prior notice)."""
    if not actor.subject:
        raise PermissionDenied("portal.subject", "该页面仅供参保人或参保单位网上查询使用")
    stmt = select(DishonestyListing).where(DishonestyListing.party_subject == actor.subject,
                                           DishonestyListing.status != "proposed")
    return list(db.execute(stmt.order_by(DishonestyListing.id.desc())).scalars())


def own_history(db: Session, actor: Actor, listing: DishonestyListing) -> list[dict]:
    """The subject's own credit history (records and steps), without the staff's names."""
    if not actor.subject or actor.subject != listing.party_subject:
        raise NotFound("dishonesty.not_found", f"未找到名单条目 {listing.id}", "listing_id")
    lines = credits.history_lines(db, listing.subject_kind, listing.subject_key)
    return [{**line, "by": ""} for line in lines]


def rights(db: Session, listing: DishonestyListing, today: dt.date) -> dict[str, bool]:
    """What the subject may do on its portal today: state its case within the period, object to
    a listing (one objection under review at a time), apply for repair once the shortest
    period has passed (none while an application is under review)."""
    return {"statement": listing.status == "noticed" and listing.statement_due is not None
            and today <= listing.statement_due,
            "objection": listing.status == "listed" and not _in_review(db, listing.objection_case_id),
            "repair": rules.repair_problem(listing.status, today, listing.repair_from) is None
            and not _in_review(db, listing.repair_case_id)}


def _in_review(db: Session, case_id: int | None) -> bool:
    case = db.get(Case, case_id) if case_id else None
    return case is not None and case.status in case_rules.OPEN


def redate_provisional(db: Session, actor: Actor) -> int:
    """Statement periods counted over a then-unpublished year (agency.redate)."""
    rows = db.execute(select(DishonestyListing).where(
        DishonestyListing.due_provisional.is_(True),
        DishonestyListing.status == "noticed")).scalars()
    return agency.redate(db, actor, list(rows),
                         lambda x: (x.noticed_on, int(agency.param(db, "oversight.dishonesty.statement_wd",
                                                                   x.noticed_on))),
                         field="statement_due")


def export_xlsx(db: Session, actor: Actor) -> tuple[bytes, str]:
    """The staff list of entries as a sheet, with each entry's periods (R§45)."""
    rows = listings(db, actor, limit=500)
    headers = ["编号", "主体类型", "主体名称", "代码或号码", "状态", "认定情形", "拟列入日期", "告知日期",
               "陈述申辩期限", "列入日期", "公示截止", "可申请修复日期", "移出日期", "移出原因"]
    body = [[x.id, rules.SUBJECT_KINDS.get(x.subject_kind, x.subject_kind), x.subject_name,
             x.subject_key, rules.STATUSES[x.status], x.facts, x.proposed_on, x.noticed_on or "",
             x.statement_due or "", x.listed_on or "", x.listed_until or "", x.repair_from or "",
             x.ended_on or "", x.end_reason] for x in rows]
    privacy.log_export(db, actor, "dishonesty.xlsx", len(body))  # secdata
    return workbook("严重失信主体名单", headers, body), f"严重失信主体名单_{clock.today():%Y%m%d}.xlsx"
