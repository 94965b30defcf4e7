"""Direct settlement with service institutions (R§20–§22): the monthly upload, the review run
and the reviewer's decisions on flagged lines (Z-6).

Upload: the file is kept as received and processed once (the same bytes again return the first
upload); a claim with a bad row — unknown person, no valid agreement on a service day, a negative
or absurd amount, a duplicate claim number, a row that cannot be decoded — is listed and not
stored, the rest are. Review: ``run_review`` flags a month's lines set-based (batch.py); a
reviewer decides each flagged line (accept, cut, refuse) with a reason. The settlement of the
accepted amount is in settlement.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.agreements.claims import batch, rules, upload
from jingban.agreements.claims.models import (
    Claim,
    ClaimDecision,
    ClaimFlag,
    ClaimLine,
    ClaimReviewRun,
    ClaimUpload,
)
from jingban.agreements.institutions import service as institutions
from jingban.agreements.institutions.models import Institution
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.core.excel import workbook
from jingban.registration.models import Employer, Person

audit.ACT_NAMES.update({
    "claims.upload": "上传医疗费用结算单",
    "claims.review_month": "月度医疗费用审核",
    "claims.decide_line": "审核疑点明细",
})
MAX_ID = 2**31 - 1


def check_period(period: int) -> int:
    year, month = divmod(int(period), 100)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidInput("claims.period", "结算月份应为 YYYYMM", "period")
    return int(period)


def review_params(db: Session, on: dt.date) -> rules.Params:
    return rules.Params(int(agency.param(db, "claims.review.readmission_days", on)),
                        tuple(agency.param(db, "claims.review.bed_code_prefixes", on)),
                        int(agency.param(db, "claims.review.idle_days", on)))


# --- who is the institution ---------------------------------------------------------------------

def own_institution(db: Session, actor: Actor) -> Institution:
    """The institution a portal user acts for: the unit of the employer account, which is
    registered as the service institution with the same USCC."""
    kind, _, ref = (actor.subject or "").partition(":")
    unit = db.get(Employer, int(ref)) if kind == "employer" and ref.isdigit() else None
    if unit is None:
        raise PermissionDenied("claims.not_institution", "本账户不是定点服务机构的账户")
    return institutions.by_uscc(db, unit.uscc)


def institution_for(db: Session, actor: Actor, institution_id: int | None) -> Institution:
    """Staff name the institution; a portal user is its own."""
    if actor.subject is not None:
        own = own_institution(db, actor)
        if institution_id not in (None, own.id):
            raise PermissionDenied("claims.not_own", "只能办理本机构的结算业务", "institution_id")
        return own
    if not institution_id or not 0 < institution_id <= MAX_ID:
        raise InvalidInput("claims.institution", "请选择服务机构", "institution_id")
    return institutions.get_institution(db, institution_id)


# --- the upload ---------------------------------------------------------------------------------

@transactional
def upload_claims(db: Session, actor: Actor, institution_id: int | None, period: int,
                  filename: str, content: bytes) -> ClaimUpload:
    """上传月度结算单 (R§20): stored as received; the good claims kept, the bad ones listed."""
    require(actor, "claims.upload")
    institution = institution_for(db, actor, institution_id)
    period = check_period(period)
    digest = audit.sm3(content.decode("latin-1"))
    if earlier := db.execute(select(ClaimUpload).where(
            ClaimUpload.institution_id == institution.id, ClaimUpload.digest == digest)).scalar():
        return earlier
    found, encoding, shown = upload.read(filename, content)
    good, problems = _screen(db, institution, period, found)
    row = ClaimUpload(institution_id=institution.id, period=period,
                      filename=(filename or "claims.csv")[:200], encoding=encoding,
                      digest=digest, raw=shown, rows=sum(len(c.rows) for c in found),
                      claims=len(good), lines=sum(len(c.lines) for c, _ in good),
                      problems=json.dumps([p.__dict__ for p in problems], ensure_ascii=False),
                      received_by=actor.username)
    db.add(row)
    db.flush()
    _store(db, row, good)
    audit.record(db, actor, "claims.upload", f"claim_upload:{row.id}",
                 after={k: v for k, v in snapshot(row).items() if k != "raw"},
                 related=f"institution:{institution.id}")
    return row


def _screen(db: Session, institution: Institution, period: int, found: list[upload.ClaimIn]
            ) -> tuple[list[tuple[upload.ClaimIn, int]], list[upload.Problem]]:
    """(claim, person id) of every claim that holds, and the problems of the rest."""
    today = clock.today()
    limits = (int(agency.param(db, "claims.upload.max_line_fen", today)),
              int(agency.param(db, "claims.upload.max_quantity", today)))
    numbers = [c.claim_no for c in found]
    stored = set(db.execute(select(Claim.claim_no).where(
        Claim.institution_id == institution.id, Claim.claim_no.in_(numbers))).scalars())
    persons = dict(db.execute(select(Person.ssn, Person.id).where(
        Person.ssn.in_([c.ssn for c in found if c.ssn]))).all())
    agreed: dict[dt.date, bool] = {}
    counts: dict[str, int] = {}
    for c in found:
        counts[c.claim_no] = counts.get(c.claim_no, 0) + 1
    good, problems = [], []
    for c in found:
        message = c.problem or _claim_problem(db, institution, period, c, persons, stored,
                                              counts, agreed, limits)
        if message:
            problems.append(upload.Problem(c.rows[0] if c.rows else 0, c.claim_no, message))
        else:
            good.append((c, persons[c.ssn]))
    return good, problems


def _claim_problem(db: Session, institution: Institution, period: int, c: upload.ClaimIn,
                   persons: dict[str, int], stored: set[str], counts: dict[str, int],
                   agreed: dict[dt.date, bool], limits: tuple[int, int]) -> str:
    if c.claim_no in stored:
        return f"结算单号 {c.claim_no} 已上传过，不能重复结算"
    if counts[c.claim_no] > 1:
        return f"结算单号 {c.claim_no} 在文件中重复出现"
    if c.ssn not in persons:
        return f"社会保障号码 {c.ssn} 未登记参保，不能结算"
    for x in c.lines:
        problem = (rules.dates_problem(c.admission_on, c.discharge_on, x.service_on, period)
                   or rules.amount_problem(x.quantity, x.unit_price_fen, x.amount_fen, *limits))
        if problem:
            return f"第{x.row}行：{problem}"
        if x.service_on not in agreed:
            agreed[x.service_on] = institutions.valid_agreement(db, institution.id,
                                                                x.service_on) is not None
        if not agreed[x.service_on]:
            return f"第{x.row}行：{x.service_on} 本机构没有有效的服务协议，费用不能由基金结算"
    return ""


def _store(db: Session, row: ClaimUpload, good: list[tuple[upload.ClaimIn, int]]) -> None:
    for c, person_id in good:
        claim = Claim(upload_id=row.id, institution_id=row.institution_id, period=row.period,
                      claim_no=c.claim_no, person_id=person_id, fund=c.fund,
                      inpatient=c.inpatient, admission_on=c.admission_on,
                      discharge_on=c.discharge_on, diagnosis=c.diagnosis,
                      total_fen=sum(x.amount_fen for x in c.lines), raw=c.raw)
        db.add(claim)
        db.flush()
        db.add_all(ClaimLine(claim_id=claim.id, line_no=i, code=x.code, service_on=x.service_on,
                             quantity=x.quantity, unit_price_fen=x.unit_price_fen,
                             amount_fen=x.amount_fen) for i, x in enumerate(c.lines, 1))
    db.flush()


def problems_of(row: ClaimUpload) -> list[dict[str, Any]]:
    return json.loads(row.problems or "[]")


# --- the review ---------------------------------------------------------------------------------

@transactional
def run_review(db: Session, actor: Actor, period: int,
               progress: Callable[[str], None] | None = None) -> ClaimReviewRun:
    """月度审核 (Z-6(3)): every rule over the month's stored lines, set-based; rerunning adds only
    new flags."""
    require(actor, "claims.review")
    period = check_period(period)
    if not db.execute(select(Claim.id).where(Claim.period == period).limit(1)).first():
        raise Conflict("claims.nothing", f"{period} 没有上传的结算单", "period")
    return batch.review_month(db, actor, period, review_params(db, clock.today()), progress)


def _line(db: Session, line_id: int) -> tuple[ClaimLine, Claim]:
    line = db.get(ClaimLine, line_id) if 0 < line_id <= MAX_ID else None
    if line is None:
        raise NotFound("claims.line_not_found", f"未找到费用明细 {line_id}", "line_id")
    return line, db.get(Claim, line.claim_id)


@transactional
def decide_line(db: Session, actor: Actor, line_id: int, decision: str, cut_fen: int | None,
                reason: str) -> ClaimDecision:
    """审核结论 on a flagged line (Z-6(3)): accept, cut by an amount, or refuse, with a reason;
    changeable until the month is settled."""
    require(actor, "claims.review")
    line, claim = _line(db, line_id)
    if not db.execute(select(ClaimFlag.id).where(ClaimFlag.line_id == line.id).limit(1)).first():
        raise Conflict("claims.not_flagged", "该明细没有审核疑点，无需逐条审核", "line_id")
    if claim.status == "settled" or claim.settlement_id is not None:
        raise Conflict("claims.settled", "该结算单已提交结算，不能再改审核结论", "line_id")
    if problem := rules.decision_problem(decision, cut_fen, line.amount_fen, reason or ""):
        raise InvalidInput("claims.decision", problem, "decision")
    row = db.get(ClaimDecision, line.id) or ClaimDecision(line_id=line.id)
    before = snapshot(row) if row.decision else None
    row.decision, row.reason, row.decided_by = decision, (reason or "").strip()[:300], actor.username
    row.cut_fen = {"cut": cut_fen or 0, "refuse": line.amount_fen}.get(decision, 0)
    row.decided_at = clock.now()
    db.add(row)
    db.flush()
    audit.record(db, actor, "claims.decide_line", f"claim_line:{line.id}", before=before,
                 after=snapshot(row), reason=row.reason, related=f"institution:{claim.institution_id}")
    return row


# --- reads --------------------------------------------------------------------------------------

FLAG_COLUMNS = (ClaimLine.id, Claim.claim_no, Claim.institution_id, Institution.name, Person.ssn,
                Person.name, ClaimLine.code, ClaimLine.service_on, ClaimLine.quantity,
                ClaimLine.unit_price_fen, ClaimLine.amount_fen)


def flagged(db: Session, actor: Actor, period: int, *, institution_id: int | None = None,
            undecided: bool = False, limit: int = 500) -> list[dict[str, Any]]:
    """The flagged lines of a month with their rules, suggested cuts and decisions."""
    require(actor, "claims.read")
    stmt = (select(*FLAG_COLUMNS, ClaimDecision.decision, ClaimDecision.cut_fen,
                   ClaimDecision.reason, ClaimDecision.decided_by, Claim.settlement_id)
            .join(Claim, Claim.id == ClaimLine.claim_id)
            .join(Institution, Institution.id == Claim.institution_id)
            .join(Person, Person.id == Claim.person_id)
            .outerjoin(ClaimDecision, ClaimDecision.line_id == ClaimLine.id)
            .where(Claim.period == check_period(period),
                   ClaimLine.id.in_(select(ClaimFlag.line_id))))
    if institution_id:
        stmt = stmt.where(Claim.institution_id == institution_id)
    if undecided:
        stmt = stmt.where(ClaimDecision.decision.is_(None))
    rows = db.execute(stmt.order_by(ClaimLine.id).limit(max(1, min(limit, 20000)))).all()
    flags = _flags_of(db, [r[0] for r in rows])
    keys = ("line_id", "claim_no", "institution_id", "institution", "ssn", "person", "code",
            "service_on", "quantity", "unit_price_fen", "amount_fen", "decision", "cut_fen",
            "reason", "decided_by", "settlement_id")
    out = []
    for r in rows:
        item = dict(zip(keys, r, strict=True))
        item["flags"] = flags.get(item["line_id"], [])
        item["suggested_cut_fen"] = max((f["cut_fen"] for f in item["flags"]), default=0)
        out.append(item)
    return out


def _flags_of(db: Session, line_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for i in range(0, len(line_ids), 900):
        for f in db.execute(select(ClaimFlag).where(ClaimFlag.line_id.in_(line_ids[i:i + 900]))
                            .order_by(ClaimFlag.id)).scalars():
            found.setdefault(f.line_id, []).append(
                {"rule": f.rule, "name": rules.RULES[f.rule], "cut_fen": f.cut_fen})
    return found


def flagged_xlsx(db: Session, actor: Actor, period: int, institution_id: int | None = None) -> bytes:
    """审核结果 Excel: every flagged line, its rules and the reviewer's decision."""
    rows = flagged(db, actor, period, institution_id=institution_id, limit=20000)
    return workbook(f"审核结果{period}", (
        "明细号", "结算单号", "服务机构", "社会保障号码", "姓名", "项目编码", "费用日期", "数量",
        "单价（元）",
        "金额（元）", "审核疑点", "建议核减（元）", "审核结论", "核减（元）", "理由", "审核人"),
        ([r["line_id"], r["claim_no"], r["institution"], r["ssn"], r["person"], r["code"],
          r["service_on"].isoformat(), r["quantity"], r["unit_price_fen"], r["amount_fen"],
          "；".join(f["name"] for f in r["flags"]), r["suggested_cut_fen"],
          rules.DECISIONS.get(r["decision"] or "", "待审核"), r["cut_fen"], r["reason"] or "",
          r["decided_by"] or ""] for r in rows), money=(8, 9, 11, 13))


def runs(db: Session, actor: Actor, limit: int = 50) -> list[ClaimReviewRun]:
    require(actor, "claims.read")
    return list(db.execute(select(ClaimReviewRun).order_by(ClaimReviewRun.id.desc())
                           .limit(limit)).scalars())


def uploads(db: Session, actor: Actor, institution_id: int | None = None,
            limit: int = 100) -> list[ClaimUpload]:
    if actor.subject is not None:
        institution_id = own_institution(db, actor).id
    else:
        require(actor, "claims.read")
    stmt = select(ClaimUpload)
    if institution_id:
        stmt = stmt.where(ClaimUpload.institution_id == institution_id)
    return list(db.execute(stmt.order_by(ClaimUpload.id.desc()).limit(limit)).scalars())


def undecided_count(db: Session, institution_id: int, fund: str, period: int) -> int:
    """Flagged lines of a month's claims not yet settled still waiting for a decision (a later
    review run may flag a settled claim's line for the record; it can no longer be decided)."""
    return db.execute(select(func.count(func.distinct(ClaimFlag.line_id)))
                      .join(ClaimLine, ClaimLine.id == ClaimFlag.line_id)
                      .join(Claim, Claim.id == ClaimLine.claim_id)
                      .outerjoin(ClaimDecision, ClaimDecision.line_id == ClaimFlag.line_id)
                      .where(Claim.institution_id == institution_id, Claim.fund == fund,
                             Claim.period == period, Claim.settlement_id.is_(None),
                             ClaimDecision.decision.is_(None))).scalar()
