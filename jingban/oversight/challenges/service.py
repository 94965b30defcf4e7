"""Reconsideration and litigation acts (行政复议、行政诉讼, R§52): recorded against the case they
challenge; the outcome confirms that case or reopens it through the case engine."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.cases import service as cases
from jingban.cases.models import Case, CaseStep
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.excel import workbook
from jingban.oversight.challenges import rules
from jingban.oversight.challenges.models import Challenge
from jingban.oversight.challenges.schemas import ChallengeIn, ChallengeOut, ChallengeOutcomeIn

audit.ACT_NAMES.update({"oversight.challenge_record": "登记行政复议或行政诉讼",
                        "oversight.challenge_decide": "登记复议决定或裁判结果"})


@transactional
def record(db: Session, actor: Actor, data: ChallengeIn) -> Challenge:
    """登记: a reconsideration or a lawsuit against a decided case; one heard at a time."""
    require(actor, "challenges.record")
    case = _case(db, data.case_number, lock=True)
    pending = db.execute(select(Challenge.id).where(Challenge.case_id == case.id,
                                                    Challenge.status == "pending")).first()
    if problem := rules.challenge_problem(case.status, pending is not None):
        raise Conflict(*problem, "case_number")
    if problem := rules.date_problem(data.filed_on, None, clock.today(), case.received_on):
        raise InvalidInput(*problem)
    last = last_challenge(db, case.id)
    limit = rules.limit_of(data.kind, (last.kind, last.outcome) if last else None)
    if limit == "litigation_after_reconsideration":  # 收到复议决定书之日, by default its date
        known_on = data.known_on or last.decided_on
    else:
        known_on = data.known_on or decided_on(db, case)
    due = filing_due(db, limit, known_on)
    if problem := rules.filing_problem(limit, data.filed_on, known_on, due, data.late_reason):
        raise InvalidInput(*problem)
    row = Challenge(case_id=case.id, kind=data.kind, body=data.body, reference=data.reference,
                    claimant=data.claimant, claims=data.claims, filed_on=data.filed_on,
                    known_on=known_on, filing_due=due, late_reason=data.late_reason,
                    status="pending", recorded_by=actor.username)
    db.add(row)
    db.flush()
    audit.record(db, actor, "oversight.challenge_record", f"challenge:{row.id}",
                 after=snapshot(row), reason=rules.KINDS[data.kind], related=case.subject)
    return row


def decided_on(db: Session, case: Case) -> dt.date:
    """When the challenged case was decided: its completion, else its last step (a refusal)."""
    if case.completed_on is not None:
        return case.completed_on
    last = db.execute(select(func.max(CaseStep.at)).where(CaseStep.case_id == case.id)).scalar()
    return clock.local(last).date() if last is not None else case.received_on


def last_challenge(db: Session, case_id: int, before_id: int | None = None) -> Challenge | None:
    """The case's latest challenge (before ``before_id`` when given)."""
    stmt = select(Challenge).where(Challenge.case_id == case_id)
    if before_id is not None:
        stmt = stmt.where(Challenge.id < before_id)
    return db.execute(stmt.order_by(Challenge.id.desc()).limit(1)).scalar()


# the limits counted in days; a direct lawsuit counts months
DAYS_OF = {"reconsideration": "oversight.challenge.reconsideration_days",
           "litigation_after_reconsideration": "oversight.challenge.after_reconsideration_days"}


def filing_due(db: Session, limit: str, known_on: dt.date) -> dt.date:
    """The limit (``rules.limit_of``) from policy; a last day that is a holiday moves to the next
    working day (民法典 §203)."""
    days = agency.param(db, DAYS_OF[limit], known_on) if limit in DAYS_OF else 0
    last = rules.filing_limit(limit, known_on, days,
                              agency.param(db, "oversight.challenge.litigation_months", known_on))
    if agency.calendar(db.info["calendar_dirs"]).is_workday(last)[0]:
        return last
    return agency.due_date(db, last, 1).due


@transactional
def decide(db: Session, actor: Actor, challenge_id: int, data: ChallengeOutcomeIn) -> Challenge:
    """结案: upheld confirms the challenged case; revoked or changed reopens it for a new
    decision (``cases.service.reopen``); withdrawn leaves it as it was."""
    require(actor, "challenges.record")
    row = _locked(db, challenge_id)
    if row.status != "pending":
        raise Conflict("challenge.decided", "该行政复议或行政诉讼已结案", "challenge_id")
    case = db.get(Case, row.case_id)
    if problem := rules.date_problem(row.filed_on, data.decided_on, clock.today(), case.received_on):
        raise InvalidInput(*problem)
    before = snapshot(row)
    row.status, row.outcome, row.decided_on = "decided", data.outcome, data.decided_on
    row.decision_reference, row.outcome_note = data.decision_reference, data.note
    row.decided_by = actor.username
    note = rules.effect_note(row.kind, data.outcome, data.decision_reference, data.note)
    effect = rules.EFFECTS[data.outcome]
    if effect == "confirm":
        cases.confirm(db, actor, case.id, note)
    elif effect == "reopen":
        row.reopened_round = cases.reopen(db, actor, case.id, note).round
    db.flush()
    audit.record(db, actor, "oversight.challenge_decide", f"challenge:{row.id}", before=before,
                 after=snapshot(row), reason=note, related=case.subject)
    return row


def get(db: Session, actor: Actor, challenge_id: int) -> Challenge:
    require(actor, "challenges.read")
    row = db.get(Challenge, challenge_id)
    if row is None:
        raise NotFound("challenge.not_found", f"未找到行政复议或行政诉讼记录 {challenge_id}", "challenge_id")
    return row


def listing(db: Session, actor: Actor, case_number: str | None = None,
            status: str | None = None, limit: int = 200) -> list[Challenge]:
    """Challenges, newest first; of one case when its number is given."""
    require(actor, "challenges.read")
    stmt = select(Challenge)
    if case_number:
        stmt = stmt.where(Challenge.case_id == _case(db, case_number).id)
    if status:
        stmt = stmt.where(Challenge.status == status)
    stmt = stmt.order_by(Challenge.id.desc()).limit(max(1, min(limit, 1000)))
    return list(db.execute(stmt).scalars())


def limit_of(db: Session, row: Challenge) -> str:
    """The limit the filing had: read again from the challenge before it."""
    last = last_challenge(db, row.case_id, row.id)
    return rules.limit_of(row.kind, (last.kind, last.outcome) if last else None)


def present(db: Session, row: Challenge) -> ChallengeOut:
    case = db.get(Case, row.case_id)
    late = row.filing_due is not None and row.filed_on > row.filing_due
    limit = limit_of(db, row)
    return ChallengeOut.model_validate(row).model_copy(
        update={"case_number": case.number or "", "case_status": case.status, "filed_late": late,
                "limit": limit, "limit_basis": rules.LIMIT_BASIS[limit]})


def _case(db: Session, number: str, *, lock: bool = False) -> Case:
    try:
        return cases.by_number(db, number, lock=lock)
    except NotFound:
        raise NotFound("challenge.case_unknown", f"未找到业务件 {number}", "case_number") from None


def _locked(db: Session, challenge_id: int) -> Challenge:
    found = db.execute(select(Challenge).where(Challenge.id == challenge_id).with_for_update()
                       ).scalar()
    if found is None:
        raise NotFound("challenge.not_found", f"未找到行政复议或行政诉讼记录 {challenge_id}", "challenge_id")
    db.refresh(found)
    return found


def limits(db: Session) -> dict[str, int]:
    """Today's filing limits, for the pages to state."""
    today = clock.today()
    return {"reconsideration": agency.param(db, "oversight.challenge.reconsideration_days", today),
            "litigation": agency.param(db, "oversight.challenge.litigation_months", today),
            "litigation_after_reconsideration":
                agency.param(db, "oversight.challenge.after_reconsideration_days", today)}


def export_xlsx(db: Session, actor: Actor, status: str | None = None) -> tuple[bytes, str]:
    """The list as a sheet, with each filing's limit and whether it came late."""
    rows = [present(db, r) for r in listing(db, actor, status=status, limit=1000)]
    headers = ["业务件号", "类别", "复议机关或法院", "案号", "申请人或原告", "知道决定之日", "法定期限",
               "申请（起诉）日期", "逾期理由", "状态", "结果", "结案日期", "决定书文号"]
    body = [[r.case_number, rules.KINDS[r.kind], r.body, r.reference, r.claimant, r.known_on or "",
             r.filing_due or "", r.filed_on, r.late_reason if r.filed_late else "",
             rules.STATUSES[r.status], rules.OUTCOMES.get(r.outcome or "", ""), r.decided_on or "",
             r.decision_reference] for r in rows]
    return workbook("行政复议与诉讼", headers, body), f"行政复议与诉讼_{clock.today():%Y%m%d}.xlsx"
