"""Pension endpoints under /api/v1: estimates (待遇测算), the pre-retirement list, the
determination preview and a person's pension record (thin).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from jingban.benefits.pension import service
from jingban.benefits.pension.schemas import (
    AwardOut,
    DeterminationPreview,
    PensionEstimate,
    PensionQuery,
    RetirementEstimate,
    RetirementQuery,
)
from jingban.core.actor import Actor
from jingban.core.http import api_actor, get_db
from jingban.core.money import to_yuan

router = APIRouter(tags=["待遇 benefits"])


@router.post("/estimates/retirement", response_model=RetirementEstimate,
             summary="退休年龄测算（渐进式延迟退休）")
def retirement(data: RetirementQuery, actor: Actor = Depends(api_actor),
               db: Session = Depends(get_db)):
    return service.estimate_retirement(db, actor, data.birth_date, data.category)


@router.post("/estimates/pension", response_model=PensionEstimate, summary="基本养老金测算")
def pension(data: PensionQuery, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.estimate_pension(db, actor, data)


@router.get("/benefits/prereview", summary="退休预审名单（12个月内达到法定退休年龄）")
def prereview(month: str | None = Query(default=None, description="YYYY-MM，默认12个月后"),
              actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.prereview(db, actor, month)


@router.post("/benefits/prereview/notices", summary="向名单中的参保人及其单位发送预审通知")
def prereview_notices(month: str | None = Query(default=None), actor: Actor = Depends(api_actor),
                      db: Session = Depends(get_db)):
    return {"notified": service.send_prereview_notices(db, actor, month)}


# --- claims and determination ----------------------------------------------------------------------

@router.get("/benefits/pension/preview", response_model=DeterminationPreview,
            summary="基本养老金核定测算（受理前预览：资格核查与计发明细，不写入）")
def pension_preview(ssn: str = Query(min_length=1, max_length=18, description="社会保障号码"),
                    retirement_age_months: int | None = Query(
                        default=None, ge=480, le=840, description="弹性退休选择的退休年龄（月）"),
                    actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.preview_pension(db, actor, ssn, retirement_age_months)


@router.get("/benefits/persons/{ssn}/pension", summary="参保人的养老金待遇、发放记录和追回台账")
def pension_record(ssn: str = PathParam(min_length=1, max_length=18),
                   actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    record = service.pension_record(db, actor, ssn)
    return {
        "ssn": record["person"].ssn, "name": record["person"].name,
        "awards": [{**AwardOut.model_validate(a).model_dump(mode="json"), **b}
                   for a, b in record["awards"]],
        "payments": [{"period": p.period, "award_id": p.award_id, "kind": p.kind,
                      "gross": str(to_yuan(p.gross)), "deduction": str(to_yuan(p.deduction)),
                      "net": str(to_yuan(p.net)), **_sent(record, p.run_id, p.paid_on)}
                     for p in record["payments"]],
        "refunds": [{"id": r.id, "amount": str(to_yuan(r.amount)), "reason": r.reason,
                     **_sent(record, r.run_id, r.paid_on)} for r in record["refunds"]],
        "pending": str(to_yuan(record["pending"])),
        "debts": [{"id": d["debt"].id, "reason": d["debt"].reason, "status": d["debt"].status,
                   "principal": str(to_yuan(d["debt"].principal)),
                   "balance": str(to_yuan(d["balance"])),
                   "entries": [{"kind": e.kind, "amount": str(to_yuan(e.amount)),
                                "entry_on": e.entry_on.isoformat(), "reference": e.reference}
                               for e in d["entries"]]}
                  for d in record["debts"]],
        "events": [{"award_id": e.award_id, "kind": e.kind, "reason": e.reason,
                    "event_date": e.event_date.isoformat(), "effective_period": e.effective_period,
                    "source": e.source, "reported_on": e.reported_on.isoformat()}
                   for e in record["events"]],
    }


def _sent(record: dict, run_id: int | None, paid_on) -> dict:
    """pending (待发放: decided, not yet in a bank file) or sent with the payroll of a month."""
    if run_id is None:
        return {"status": "pending", "payroll_period": None, "paid_on": None}
    return {"status": "sent", "payroll_period": record["runs"].get(run_id),
            "paid_on": paid_on.isoformat()}
