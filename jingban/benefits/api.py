"""Benefit endpoints under /api/v1: estimates (待遇测算) for logged-in persons and staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from jingban.benefits import batch, service
from jingban.benefits.schemas import (
    AwardOut,
    DeterminationPreview,
    PayrollKindLine,
    PayrollSummary,
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


# --- payroll ------------------------------------------------------------------------------------------

Period = Annotated[int, PathParam(ge=190001, le=299912, description="发放月份 YYYYMM")]


def _summary(db: Session, run) -> PayrollSummary:
    return PayrollSummary(
        period=run.period, status=run.status, payments=run.payments,
        gross=str(to_yuan(run.gross)), deductions=str(to_yuan(run.deductions)),
        net=str(to_yuan(run.net)), bank_file=run.bank_file, bank_file_sha256=run.bank_file_sha256,
        bank_rows=batch.bank_rows(db, run), started_by=run.started_by, started_at=run.started_at,
        finished_at=run.finished_at,
        kinds=[PayrollKindLine(kind=line["kind"], name=line["name"], count=line["count"],
                               gross=str(to_yuan(line["gross"])),
                               deductions=str(to_yuan(line["deduction"])),
                               net=str(to_yuan(line["net"])))
               for line in batch.breakdown(db, run)])


@router.post("/benefits/payroll/{period}", response_model=PayrollSummary,
             summary="运行（或续跑）某月待遇发放；已完成的月份不重复发放")
def payroll_run(period: Period, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _summary(db, batch.run_payroll(db, actor, period))


@router.get("/benefits/payroll/pending", summary="待发放：下次发放批次将一并发放的补发、补差和退还款")
def payroll_pending(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    found = batch.pending(db, actor)
    return {"count": found["count"], "net": str(to_yuan(found["net"])),
            "kinds": [{"kind": kind, "name": t["name"], "count": t["count"],
                       "net": str(to_yuan(t["net"]))} for kind, t in found["totals"].items()],
            "items": [{"kind": row.kind, "name": row.name, "ssn": row.ssn, "period": row.period,
                       "net": str(to_yuan(row.net)), "decided_on": row.decided_on.isoformat()}
                      for row in found["items"]]}


@router.get("/benefits/payroll", response_model=list[PayrollSummary], summary="待遇发放批次列表")
def payroll_list(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [_summary(db, run) for run in batch.list_runs(db, actor)]


@router.get("/benefits/payroll/{period}", response_model=PayrollSummary, summary="某月待遇发放汇总")
def payroll_get(period: Period, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _summary(db, batch.get_run(db, actor, period))


@router.get("/benefits/payroll/{period}/bank-file", summary="下载银行代发文件（CSV，UTF-8）",
            response_class=StreamingResponse)
def payroll_bank_file(period: Period, actor: Actor = Depends(api_actor),
                      db: Session = Depends(get_db)):
    parts = batch.bank_file(db, actor, period)
    return StreamingResponse(parts, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{batch.bank_file_name(period)}"'})
