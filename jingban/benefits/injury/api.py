"""Work-injury endpoints under /api/v1 (thin): a person's recognitions and benefits, the lists
with their Excel exports, a decision PDF, a dependant's stop and the age-limit run. Each item
itself is a case (POST /cases, items BEN-INJURY-*)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from jingban.benefits.injury import batch, rules, service
from jingban.benefits.injury.schemas import DependantStopIn
from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import api_actor, get_db
from jingban.core.money import to_yuan
from jingban.core.pdf import pdf_response

router = APIRouter(tags=["待遇 benefits"])


@router.get("/benefits/persons/{ssn}/injury", summary="参保人的工伤认定、鉴定与工伤保险待遇（含发放与停发）")
def record(ssn: str = PathParam(min_length=1, max_length=18), actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    found = service.record_of(db, actor, ssn)
    return {"ssn": found["person"].ssn, "name": found["person"].name,
            "recognitions": [_recognition(rec, events) for rec, events in found["recognitions"]],
            "awards": [_award(row) for row in found["awards"]]}


def _recognition(rec, events) -> dict:
    return {"decision_number": rec.decision_number, "decided_on": rec.decided_on.isoformat(),
            "injury_date": rec.injury_date.isoformat(), "kind": rec.kind,
            "own_wage": str(to_yuan(rec.own_wage)), "grade": rec.grade,
            "nursing_level": rec.nursing_level,
            "leave_until": rec.leave_until.isoformat() if rec.leave_until else None,
            "events": [{"kind": e.kind, "date": e.event_date.isoformat(), "document": e.document_number,
                        "grade": e.grade, "amount": str(to_yuan(e.amount))} for e in events]}


def _award(row: dict) -> dict:
    award = row["award"]
    return {"id": award.id, "kind": award.kind, "name": rules.KIND_NAMES[award.kind],
            "status": award.status, "amount": str(to_yuan(award.monthly_amount)),
            "monthly": award.kind in rules.MONTHLY_KINDS, "start_period": award.start_period,
            "last_period": award.last_period, "payee": award.payee_name,
            "stop_reason": award.stop_reason, "lines": row["lines"],
            "payments": [{"period": p.period, "kind": p.kind, "net": str(to_yuan(p.net)),
                          "sent": p.run_id is not None} for p in row["payments"]],
            "events": [{"kind": e.kind, "reason": e.reason, "event_date": e.event_date.isoformat(),
                        "effective_period": e.effective_period} for e in row["events"]]}


@router.get("/benefits/injury/awards.xlsx", summary="工伤保险待遇清单（Excel）")
def awards_xlsx(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.awards_xlsx(db, actor), "工伤保险待遇.xlsx")


@router.get("/benefits/injury/recognitions.xlsx", summary="工伤认定登记清单（Excel）")
def recognitions_xlsx(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.recognitions_xlsx(db, actor), "工伤认定.xlsx")


@router.get("/benefits/injury/awards/{award_id}/decision.pdf", summary="工伤保险待遇核定决定书（PDF）")
def decision_pdf(award_id: int = PathParam(ge=1, le=2**31 - 1), actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return pdf_response(service.decision_pdf(db, actor, award_id), f"工伤保险待遇核定决定书-{award_id}.pdf")


@router.post("/benefits/persons/{ssn}/injury/dependant-stop",
             summary="供养亲属抚恤金停发（再婚、被他人收养）")
def dependant_stop(data: DependantStopIn, ssn: str = PathParam(min_length=1, max_length=18),
                   actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    report = service.stop_dependant(db, actor, ssn, data)
    return {"id": report.id, "reason": report.reason, "awards": report.awards,
            "overpaid": str(to_yuan(report.overpaid))}


@router.post("/benefits/injury/age-limit", summary="供养亲属年满18周岁停发（未完全丧失劳动能力的子女等）")
def age_limit(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    made = batch.stop_at_age_limit(db, actor)
    return {"stopped": len(made)}
