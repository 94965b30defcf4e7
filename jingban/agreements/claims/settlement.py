"""The monthly settlement with a service institution (月度结算, R§20–§22; Z-6(3) 初审和复核).

The accountant prepares the settlement of one institution, one fund, one month once every flagged
line is decided: an AGR-CLAIM-SETTLE case that two levels review. Its approval computes the split
of every claim's accepted lines (split.py, with the person's fund payments earlier this year;
an admission by the inpatient parameters, an outpatient visit by the general outpatient pooling
or the chronic outpatient ones — the coverage function manual reimbursement uses, registered by
jingban.wiring),
books the fund's part to the ledger and pays it from the expenditure account — unless a breach
measure withholds the institution's payment (R§43), when it waits as withheld until released.
The institution sees the settlement and every cut line with its reason, and may object to cut or
refused lines (AGR-CLAIM-OBJECTION); upheld, the lines are reinstated.

Supplementary settlement (补充结算, claims13): claims uploaded after the month's first settlement,
and lines reinstated by an upheld objection, are settled by the month's settlement 2, 3… — the
same act, the same two levels, booked and paid once each; the annual cap counts what the
month's earlier settlements paid the person.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable  # medmat
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jingban.agreements.claims import rules, service, split
from jingban.agreements.claims.models import (
    Claim,
    ClaimAdjustment,
    ClaimDecision,
    ClaimLine,
    ClaimReviewRun,
    ClaimSettlement,
)
from jingban.agreements.claims.schemas import ObjectionIn, SettleIn
from jingban.agreements.institutions import service as institutions
from jingban.cases import rules as case_rules
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import format_yuan
from jingban.funds.ledger import service as ledger
from jingban.notices.service import notify
from jingban.registration.models import Employer

SETTLE_ITEM, OBJECTION_ITEM = "AGR-CLAIM-SETTLE", "AGR-CLAIM-OBJECTION"
# Other fund payments of the year that count against the person's annual cap (the medical
# manual reimbursements), registered by jingban.wiring: (db, fund, person ids, year) → fen each.
YearPaid = Callable[[Session, str, set[int], int], dict[int, int]]  # medmat
_year_paid: list[YearPaid] = []  # medmat


def count_year_paid(source: YearPaid) -> None:  # medmat
    if source not in _year_paid:  # medmat
        _year_paid.append(source)  # medmat


# How one claim is split by its coverage (benefits.medical.coverage, registered by jingban.wiring,
# the same function the manual reimbursement uses): an admission by the inpatient parameters,
# an outpatient visit by the chronic or the general outpatient pooling ones (issue 11 item 1).
# split_bill(db, person id, fund, inpatient, diagnosis, day, lines, ytd, borne) → (coverage,
# split), moving ``borne`` on; borne_of(db, fund, person id, year, except_claims=) → borne.
_coverage: dict[str, Callable[..., Any]] = {}


def use_coverage(split_bill: Callable[..., tuple[str, split.Split]],
                 borne_of: Callable[..., Any]) -> None:
    _coverage.update(split_bill=split_bill, borne_of=borne_of)


def _split_claim(db: Session, claim: Claim, lines: list[split.BillLine], ytd: int,
                 borne: dict[int, Any], again: frozenset[int]) -> tuple[str, split.Split]:
    """The split of one claim by its coverage on its date, against the person's fund payments
    this year; ``borne`` (person id → the year's outpatient deductibles) is filled as needed,
    without the settled claims split ``again`` here (their new split is added instead)."""
    if not _coverage:
        raise Conflict("claims.no_coverage", "医疗费用分割规则未加载（门诊、住院参数）", "fund")
    if claim.person_id not in borne:
        borne[claim.person_id] = _coverage["borne_of"](
            db, claim.fund, claim.person_id, claim.discharge_on.year,
            except_claims=again)
    return _coverage["split_bill"](db, claim.person_id, claim.fund, claim.inpatient, claim.diagnosis,
                                   claim.discharge_on, lines, ytd, borne[claim.person_id])


def split_json(kind: str, result: split.Split) -> str:
    """The stored split of a claim, with its coverage (住院、门诊统筹、门诊慢特病)."""
    return json.dumps({**result.as_dict(), "coverage": kind})


STATUSES = {"paid": "已拨付", "withheld": "暂停拨付（协议处理）"}
audit.ACT_NAMES.update({"claims.settle": "医疗费用月度结算", "claims.release": "解除暂停、拨付结算款",
                        "claims.reinstate": "异议成立、恢复核减明细"})


@dataclass(frozen=True)
class ClaimSplit:
    claim: Claim
    accepted_fen: int
    ytd_before_fen: int
    split: split.Split
    coverage: str = "inpatient"  # benfix: 住院、门诊统筹 or 门诊慢特病


@dataclass(frozen=True)
class Adjustment:
    """An earlier settlement's claim re-split after an upheld objection (补拨, claims13)."""

    claim: Claim
    line_ids: frozenset[int]
    accepted_fen: int  # the claim's accepted amount now
    ytd_before_fen: int
    split: split.Split
    coverage: str = "inpatient"  # benfix

    @property
    def fund_delta(self) -> int:
        return max(0, self.split.fund_fen - (self.claim.fund_fen or 0))

    @property
    def accepted_delta(self) -> int:
        return self.accepted_fen - (self.claim.accepted_fen or 0)


@dataclass(frozen=True)
class Computed:
    claims: list[ClaimSplit]
    claimed_fen: int
    accepted_fen: int  # of the new claims, and what the adjustments add
    fund_fen: int
    person_fen: int
    adjustments: tuple[Adjustment, ...] = ()
    reinstated_fen: int = 0


# --- computing ---------------------------------------------------------------------------------

def _claims(db: Session, institution_id: int, fund: str, period: int) -> list[Claim]:
    """The month's claims not yet in any settlement (the first, or a supplementary one)."""
    return list(db.execute(select(Claim).where(
        Claim.institution_id == institution_id, Claim.fund == fund, Claim.period == period,
        Claim.settlement_id.is_(None)).order_by(Claim.discharge_on, Claim.id)).scalars())


def _pending(db: Session, institution_id: int, fund: str, period: int) -> dict[int, set[int]]:
    """Lines of the month's settled claims reinstated by an upheld objection and not yet paid:
    claim id → line ids (claims13)."""
    rows = db.execute(select(ClaimLine.claim_id, ClaimDecision.line_id).join(
        ClaimDecision, ClaimDecision.line_id == ClaimLine.id).join(
        Claim, Claim.id == ClaimLine.claim_id).where(
        Claim.institution_id == institution_id, Claim.fund == fund, Claim.period == period,
        Claim.settlement_id.is_not(None), ClaimDecision.reinstated_case_id.is_not(None),
        ClaimDecision.settled_in_id.is_(None))).all()
    found: dict[int, set[int]] = defaultdict(set)
    for claim_id, line_id in rows:
        found[claim_id].add(line_id)
    return dict(found)


def _ytd(db: Session, fund: str, person_ids: set[int], year: int) -> dict[int, int]:
    """Fund payments already settled this calendar year per person (for the annual cap)."""
    if not person_ids:
        return {}
    rows = db.execute(select(Claim.person_id, func.sum(Claim.fund_fen)).where(
        Claim.person_id.in_(person_ids), Claim.fund == fund, Claim.status == "settled",
        Claim.discharge_on >= dt.date(year, 1, 1), Claim.discharge_on <= dt.date(year, 12, 31))
        .group_by(Claim.person_id)).all()
    found = {pid: int(total or 0) for pid, total in rows}
    for source in _year_paid:  # medmat
        for pid, fen in source(db, fund, person_ids, year).items():  # medmat
            found[pid] = found.get(pid, 0) + fen  # medmat
    return found


def direct_paid(db: Session, fund: str, person_id: int, year: int) -> int:
    """The fund's part of the person's claims settled directly with institutions this year."""
    total = db.execute(select(func.coalesce(func.sum(Claim.fund_fen), 0)).where(
        Claim.person_id == person_id, Claim.fund == fund, Claim.status == "settled",
        Claim.discharge_on >= dt.date(year, 1, 1), Claim.discharge_on <= dt.date(year, 12, 31)))
    return int(total.scalar() or 0)


def bill_lines(db: Session, claim: Claim, reinstated: set[int] = frozenset()) -> list[split.BillLine]:
    """A claim's lines after review, with the catalog category of the price item that day; a line
    not on the list, if accepted, is outside the catalog (丙)."""
    rows = db.execute(select(ClaimLine, ClaimDecision).outerjoin(
        ClaimDecision, ClaimDecision.line_id == ClaimLine.id).where(ClaimLine.claim_id == claim.id)
        .order_by(ClaimLine.id)).all()
    prices: dict[dt.date, dict] = {}
    out = []
    for line, decision in rows:
        if line.service_on not in prices:
            prices[line.service_on] = institutions.price_list(db, claim.institution_id, line.service_on)
        item = prices[line.service_on].get(line.code)
        kept = line.id in reinstated or decision is None
        amount = line.amount_fen if kept else rules.accepted_amount(
            decision.decision, decision.cut_fen, line.amount_fen)
        out.append(split.BillLine(amount, item.category if item else "丙",
                                  item.self_pay_bp if item else None))
    return out


def params_for(db: Session, fund: str, on: dt.date) -> split.Params:
    return split.params_of(lambda name: agency.param(db, name, on), fund)


def _adjustments(db: Session, fund: str, pending: dict[int, set[int]],
                 ytd: dict[int, int], borne: dict[int, Any]) -> list[Adjustment]:
    """Each claim with reinstated lines split again, every reinstated line of it kept, against
    the person's other fund payments this year (all of them, so the cap holds across the
    month's settlements); ``ytd`` is moved on by what each adjustment adds."""
    found = []
    for claim_id in sorted(pending):
        claim = db.get(Claim, claim_id)
        lines = bill_lines(db, claim, _reinstated(db, claim.id))
        others = ytd.get(claim.person_id, 0) - (claim.fund_fen or 0)
        kind, again = _split_claim(db, claim, lines, max(0, others), borne, frozenset(pending))
        item = Adjustment(claim, frozenset(pending[claim_id]), sum(x.amount_fen for x in lines),
                          max(0, others), again, kind)
        ytd[claim.person_id] = ytd.get(claim.person_id, 0) + item.fund_delta
        found.append(item)
    return found


def compute(db: Session, institution_id: int, fund: str, period: int) -> Computed:
    """The settlement of a month (or what a supplementary settlement adds): the reinstated lines
    of settled claims, then each claim not yet settled, split in discharge order; the person's
    fund payments this year (settled earlier — the month's first settlement too — then earlier
    in this one) counting against the cap."""
    claims = _claims(db, institution_id, fund, period)
    pending = _pending(db, institution_id, fund, period)
    touched = {c.person_id for c in claims} | {db.get(Claim, i).person_id for i in pending}
    ytd = _ytd(db, fund, touched, period // 100)
    borne: dict[int, Any] = {}
    adjustments = _adjustments(db, fund, pending, ytd, borne)
    found = []
    for claim in claims:
        lines = bill_lines(db, claim)
        before = ytd.get(claim.person_id, 0)
        kind, result = _split_claim(db, claim, lines, before, borne, frozenset(pending))
        ytd[claim.person_id] = before + result.fund_fen
        found.append(ClaimSplit(claim, sum(x.amount_fen for x in lines), before, result, kind))
    reinstated = sum(a.accepted_delta for a in adjustments)
    fund_extra = sum(a.fund_delta for a in adjustments)
    return Computed(found, sum(c.claim.total_fen for c in found),
                    sum(c.accepted_fen for c in found) + reinstated,
                    sum(c.split.fund_fen for c in found) + fund_extra,
                    sum(c.split.person_fen for c in found) + reinstated - fund_extra,
                    tuple(adjustments), reinstated)


# --- preparing and approving ---------------------------------------------------------------------

def month_settlements(db: Session, institution_id: int, fund: str, period: int) -> list[ClaimSettlement]:
    """The month's settlements of one institution and fund, the first one first."""
    return list(db.execute(select(ClaimSettlement).where(
        ClaimSettlement.institution_id == institution_id, ClaimSettlement.fund == fund,
        ClaimSettlement.period == period).order_by(ClaimSettlement.sequence)).scalars())


def month_status(db: Session, institution_id: int, fund: str, period: int) -> dict[str, int]:
    """How many settlements the month has and how many reinstated lines wait for the next."""
    return {"settlements": len(month_settlements(db, institution_id, fund, period)),
            "pending": sum(map(len, _pending(db, institution_id, fund, period).values()))}


def _check_ready(db: Session, institution_id: int, fund: str, period: int,
                 supplementary: bool = False) -> int:
    """The number the settlement will have in its month, once it may be made: the first one
    only while there is none, a supplementary one only after it, with something to settle."""
    earlier = month_settlements(db, institution_id, fund, period)
    if supplementary and not earlier:
        raise Conflict("claims.no_first_settlement",
                       f"该机构 {period} 的该基金尚未进行首次结算，不能提交补充结算", "supplementary")
    if earlier and not supplementary:
        raise Conflict("claims.settled", f"该机构 {period} 的该基金已结算；其后上传的结算单和"
                       "异议成立的明细请提交补充结算", "period")
    claims = _claims(db, institution_id, fund, period)
    if not claims and not (earlier and _pending(db, institution_id, fund, period)):
        if earlier:
            raise Conflict("claims.nothing_unsettled", f"该机构 {period} 没有尚未结算的结算单"
                           "或待补拨的异议明细，无需补充结算", "supplementary")
        raise Conflict("claims.nothing", f"该机构 {period} 没有该基金的结算单", "period")
    reviewed = db.execute(select(func.max(ClaimReviewRun.upload_through)).where(
        ClaimReviewRun.period == period)).scalar() or 0
    if any(c.upload_id > reviewed for c in claims):
        raise Conflict("claims.not_reviewed", "尚有结算单未经月度审核，请先运行审核", "period")
    if waiting := service.undecided_count(db, institution_id, fund, period):
        raise Conflict("claims.undecided", f"尚有{waiting}条疑点明细未作审核结论，不能结算", "period")
    return len(earlier) + 1


def _open_case(db: Session, institution_id: int, fund: str, period: int) -> Case | None:
    """An AGR-CLAIM-SETTLE case of the same month still open (in review or returned)."""
    for case in db.execute(select(Case).where(Case.item_code == SETTLE_ITEM,
                                              Case.status.in_(case_rules.OPEN))).scalars():
        payload = json.loads(case.payload or "{}")
        if (payload.get("institution_id"), payload.get("fund"), payload.get("period")) == (
                institution_id, fund, period):
            return case
    return None


@transactional
def prepare(db: Session, actor: Actor, institution_id: int, fund: str, period: int,
            supplementary: bool = False) -> Case:
    """提交月度结算 (or 补充结算): an AGR-CLAIM-SETTLE case for two levels of review."""
    require(actor, "claims.settle")
    institutions.get_institution(db, institution_id)
    _check_ready(db, institution_id, fund, service.check_period(period), supplementary)
    if (case := _open_case(db, institution_id, fund, period)) is not None:
        raise Conflict("claims.settle_open", f"该机构 {period} 的结算业务件 {case.number} 尚在办理中，"
                       "请待其办结后再提交", "period")
    return cases.submit(db, actor, SETTLE_ITEM, {"institution_id": institution_id, "fund": fund,
                                                 "period": period, "supplementary": supplementary})


def _act_case(db: Session, actor: Actor, item_code: str) -> Case:
    case = db.get(Case, actor.case_id) if actor.case_id else None
    if (case is None or case.item_code != item_code or case.status not in case_rules.OPEN):
        raise Conflict("claims.case_required", "结算和异议须通过业务件办理", "case_id")
    return case


def settle(db: Session, actor: Actor, _key: str | None, data: SettleIn) -> ClaimSettlement:
    """The act of AGR-CLAIM-SETTLE: split, store, book and pay (or withhold, R§43) — the month's
    first settlement, or a supplementary one of what is left (补充结算)."""
    case = _act_case(db, actor, SETTLE_ITEM)
    institution = institutions.get_institution(db, data.institution_id)
    sequence = _check_ready(db, data.institution_id, data.fund, data.period, data.supplementary)
    done = compute(db, data.institution_id, data.fund, data.period)
    today = clock.today()
    row = ClaimSettlement(institution_id=institution.id, fund=data.fund, period=data.period,
                          sequence=sequence, status="withheld", claims=len(done.claims),
                          claimed_fen=done.claimed_fen,
                          cut_fen=done.claimed_fen - done.accepted_fen + done.reinstated_fen,
                          accepted_fen=done.accepted_fen, reinstated_fen=done.reinstated_fen,
                          fund_fen=done.fund_fen, person_fen=done.person_fen, case_id=case.id,
                          prepared_by=case.intake_by, prepared_on=case.received_on,
                          approved_on=today)
    db.add(row)
    db.flush()
    _take(db, row, [c.claim.id for c in done.claims])
    for c in done.claims:
        c.claim.status, c.claim.settlement_id = "settled", row.id
        c.claim.ytd_before_fen, c.claim.accepted_fen = c.ytd_before_fen, c.accepted_fen
        c.claim.fund_fen, c.claim.person_fen = c.split.fund_fen, c.split.person_fen
        c.claim.split = split_json(c.coverage, c.split)
    for item in done.adjustments:
        _adjust(db, row, item)
    if not institutions.payment_withheld(db, institution.id, today):
        _pay(db, actor, row, case.id)
    db.flush()
    audit.record(db, actor, "claims.settle", subject_of(row), after=snapshot(row),
                 related=f"institution:{institution.id}")
    _tell(db, institution, row)
    return row


def _take(db: Session, row: ClaimSettlement, claim_ids: list[int]) -> None:
    """Mark the claims as this settlement's, only those in no settlement yet: a claim another
    settlement took meanwhile (a concurrent approval) refuses the whole act."""
    for i in range(0, len(claim_ids), 900):
        chunk = claim_ids[i:i + 900]
        taken = db.execute(update(Claim).where(Claim.id.in_(chunk), Claim.settlement_id.is_(None))
                           .values(settlement_id=row.id, status="settled")
                           .execution_options(synchronize_session=False)).rowcount
        if taken != len(chunk):
            raise Conflict("claims.in_other_settlement", "部分结算单已列入其他结算，不能重复结算",
                           "period")


def _adjust(db: Session, row: ClaimSettlement, item: Adjustment) -> None:
    """补拨 of an earlier claim: its differences recorded with this settlement, the claim's
    figures brought up to date (for the year-to-date of the cap) and its lines marked paid."""
    claim, old = item.claim, item.claim.fund_fen or 0
    db.add(ClaimAdjustment(settlement_id=row.id, claim_id=claim.id,
                           ytd_before_fen=item.ytd_before_fen, accepted_fen=item.accepted_delta,
                           fund_fen=item.fund_delta,
                           person_fen=item.accepted_delta - item.fund_delta,
                           split=split_json(item.coverage, item.split)))
    claim.accepted_fen = item.accepted_fen
    claim.fund_fen = old + item.fund_delta
    claim.person_fen = item.accepted_fen - claim.fund_fen
    if item.split.fund_fen >= old:
        claim.split = split_json(item.coverage, item.split)
    for line_id in item.line_ids:
        db.get(ClaimDecision, line_id).settled_in_id = row.id


def _pay(db: Session, actor: Actor, row: ClaimSettlement, case_id: int | None) -> None:
    entry = ledger.book_settlement(db, actor, row.fund, row.fund_fen, f"claims-settlement:{row.id}",
                                   f"定点机构{row.period}{ordinal(row)}（结算单{row.claims}张）", case_id)
    row.status, row.paid_on = "paid", clock.today()
    row.entry_id = entry.id if entry else None


def ordinal(row: ClaimSettlement) -> str:
    """月度结算, or 第N次补充结算 (the month's settlement N)."""
    return "月度结算" if row.sequence == 1 else f"第{row.sequence}次结算（补充结算）"


def _tell(db: Session, institution, row: ClaimSettlement) -> None:
    paid = "已拨付" if row.status == "paid" else "因协议处理暂停拨付"
    extra = f"（含异议成立补拨明细{format_yuan(row.reinstated_fen)}元）" if row.reinstated_fen else ""
    notify(db, institution.uscc, "claims_settlement",
           f"{institution.name}{row.period}{ordinal(row)}已审核：申报{format_yuan(row.claimed_fen)}元，"
           f"核减{format_yuan(row.cut_fen)}元，基金支付{format_yuan(row.fund_fen)}元{extra}，{paid}。"
           "核减明细及理由见机构服务页面；如有异议，可提出异议复核。", case_id=row.case_id)


@transactional
def release(db: Session, actor: Actor, settlement_id: int) -> ClaimSettlement:
    """解除暂停拨付: a withheld settlement is paid once no measure withholds it any more."""
    require(actor, "claims.settle")
    row = get(db, settlement_id)
    if row.status != "withheld":
        raise Conflict("claims.not_withheld", "该结算不处于暂停拨付状态", "settlement_id")
    if institutions.payment_withheld(db, row.institution_id, clock.today()):
        raise Conflict("claims.still_withheld", "该机构仍在暂停拨付期间，不能拨付", "settlement_id")
    _pay(db, actor, row, row.case_id)
    audit.record(db, actor, "claims.release", subject_of(row), after=snapshot(row))
    return row


def subject_of(row: ClaimSettlement) -> str:
    return f"claim_settlement:{row.id}"


def settle_subject(row: ClaimSettlement) -> str:
    return subject_of(row)


def settle_applicant(db: Session, data: SettleIn) -> tuple[str | None, str, str]:
    institution = institutions.get_institution(db, data.institution_id)
    return None, f"SETTLE:{institution.uscc}"[:40], institution.name


def visible(db: Session, actor: Actor, settlement_id: int) -> ClaimSettlement:
    """A settlement for staff, or the institution's own."""
    row = get(db, settlement_id)
    if actor.subject is not None:
        if row.institution_id != service.own_institution(db, actor).id:
            raise NotFound("claims.settlement_not_found", f"未找到结算 {settlement_id}", "settlement_id")
    else:
        require(actor, "claims.read")
    return row


def get(db: Session, settlement_id: int) -> ClaimSettlement:
    row = db.get(ClaimSettlement, settlement_id) if 0 < settlement_id <= service.MAX_ID else None
    if row is None:
        raise NotFound("claims.settlement_not_found", f"未找到结算 {settlement_id}", "settlement_id")
    return row


# --- what the institution sees, and its objection ------------------------------------------------

def cut_lines(db: Session, settlement_id: int) -> list[dict[str, Any]]:
    """Every cut or refused line of a settlement with its reason."""
    rows = db.execute(select(ClaimLine, Claim.claim_no, ClaimDecision, ClaimSettlement.sequence).join(
        Claim, Claim.id == ClaimLine.claim_id).join(ClaimDecision, ClaimDecision.line_id == ClaimLine.id)
        .outerjoin(ClaimSettlement, ClaimSettlement.id == ClaimDecision.settled_in_id)
        .where(Claim.settlement_id == settlement_id, ClaimDecision.decision.in_(("cut", "refuse")))
        .order_by(ClaimLine.id)).all()
    return [{"line_id": x.id, "claim_no": no, "code": x.code, "service_on": x.service_on,
             "amount_fen": x.amount_fen, "decision": d.decision,
             "decision_name": rules.DECISIONS[d.decision], "cut_fen": d.cut_fen,
             "reason": d.reason, "reinstated": d.reinstated_case_id is not None,
             "paid_in": paid_in} for x, no, d, paid_in in rows]


def settlements(db: Session, actor: Actor, institution_id: int | None = None) -> list[ClaimSettlement]:
    if actor.subject is not None:
        institution_id = service.own_institution(db, actor).id
    else:
        require(actor, "claims.read")
    stmt = select(ClaimSettlement)
    if institution_id:
        stmt = stmt.where(ClaimSettlement.institution_id == institution_id)
    return list(db.execute(stmt.order_by(ClaimSettlement.id.desc()).limit(200)).scalars())


def portal(db: Session, actor: Actor) -> dict[str, Any]:
    """The institution's page: its settlements, each with the cut lines and reasons."""
    institution = service.own_institution(db, actor)
    rows = settlements(db, actor)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for r in rows:
        counts[r.fund, r.period] += 1
    return {"institution": institution, "settlements": [
        {"row": r, "cuts": cut_lines(db, r.id), "status_name": STATUSES.get(r.status, r.status),
         "name": ordinal(r), "of": counts[r.fund, r.period], "adjusted": adjusted(db, r.id)}
        for r in rows], "uploads": service.uploads(db, actor)}


def adjusted(db: Session, settlement_id: int) -> list[dict[str, Any]]:
    """The earlier claims a supplementary settlement paid again after an objection (补拨)."""
    rows = db.execute(select(ClaimAdjustment, Claim.claim_no).join(
        Claim, Claim.id == ClaimAdjustment.claim_id).where(
        ClaimAdjustment.settlement_id == settlement_id).order_by(ClaimAdjustment.id)).all()
    return [{"claim_no": no, "accepted_fen": a.accepted_fen, "fund_fen": a.fund_fen,
             "person_fen": a.person_fen} for a, no in rows]


@transactional
def object_to(db: Session, actor: Actor, settlement_id: int, line_ids: list[int], reason: str) -> Case:
    """异议: the institution disputes cut or refused lines of its settlement."""
    own = service.own_institution(db, actor)
    row = get(db, settlement_id)
    if row.institution_id != own.id:
        raise NotFound("claims.settlement_not_found", f"未找到结算 {settlement_id}", "settlement_id")
    return cases.submit(db, actor.via("web") if actor.channel == "api" else actor, OBJECTION_ITEM,
                        {"settlement_id": settlement_id, "line_ids": line_ids, "reason": reason})


def _objected(db: Session, data: ObjectionIn) -> tuple[ClaimSettlement, list[ClaimDecision]]:
    row = get(db, data.settlement_id)
    allowed = {x["line_id"]: x for x in cut_lines(db, row.id)}
    unknown = [i for i in data.line_ids if i not in allowed or allowed[i]["reinstated"]]
    if unknown:
        raise InvalidInput("claims.objection_lines",
                           f"明细 {unknown[0]} 不是该结算中被核减或拒付（且未补拨）的明细",
                           "payload.line_ids")
    return row, [db.get(ClaimDecision, i) for i in dict.fromkeys(data.line_ids)]


def reinstate(db: Session, actor: Actor, _key: str | None, data: ObjectionIn) -> ClaimSettlement:
    """The act of AGR-CLAIM-OBJECTION, upheld: the lines are reinstated. The money follows in the
    month's supplementary settlement (补充结算), which splits each claim again with the
    reinstated lines and books and pays the difference once; the approved settlement itself is
    not changed."""
    case = _act_case(db, actor, OBJECTION_ITEM)
    row, decisions = _objected(db, data)
    for d in decisions:
        d.reinstated_case_id = case.id
    db.flush()
    amount = sum(db.get(ClaimLine, d.line_id).amount_fen - rules.accepted_amount(
        d.decision, d.cut_fen, db.get(ClaimLine, d.line_id).amount_fen) for d in decisions)
    audit.record(db, actor, "claims.reinstate", subject_of(row), after={
        "settlement_id": row.id, "line_ids": [d.line_id for d in decisions], "reinstated_fen": amount},
        reason=data.reason, related=f"institution:{row.institution_id}")
    institution = institutions.get_institution(db, row.institution_id)
    notify(db, institution.uscc, "claims_settlement",
           f"{institution.name}对{row.period}{ordinal(row)}核减明细的异议成立：恢复明细"
           f"{len(decisions)}条、金额{format_yuan(amount)}元，将在该月补充结算中重新分割、拨付。",
           case_id=case.id)
    return row


def _reinstated(db: Session, claim_id: int) -> set[int]:
    return set(db.execute(select(ClaimDecision.line_id).join(
        ClaimLine, ClaimLine.id == ClaimDecision.line_id).where(
        ClaimLine.claim_id == claim_id, ClaimDecision.reinstated_case_id.is_not(None))).scalars())


def objection_applicant(db: Session, data: ObjectionIn) -> tuple[str | None, str, str]:
    row = get(db, data.settlement_id)
    institution = institutions.get_institution(db, row.institution_id)
    unit = db.execute(select(Employer).where(Employer.uscc == institution.uscc)).scalar()
    return (f"employer:{unit.id}" if unit else None), institution.uscc, institution.name
