"""Payroll endpoints under /api/v1/benefits/payroll (thin).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from jingban.benefits.payroll import batch, returns
from jingban.benefits.payroll.schemas import (
    PayrollKindLine,
    PayrollSummary,
    ReturnImportOut,
    ReturnOut,
    ReturnProblem,
)
from jingban.core import privacy
from jingban.core.actor import Actor
from jingban.core.http import api_actor, get_db
from jingban.core.money import to_yuan

router = APIRouter(tags=["待遇 benefits"])


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
               for line in batch.breakdown(db, run)],
        waiting_vouchers=[x.id for x in batch.waiting_vouchers(db, run)])


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
    # the bank file carries the real accounts: logged as an export of personal data (secdata)
    privacy.log_export(db, actor, f"bank_file:{period}", 0, permission="benefits.payroll_read")
    return StreamingResponse(parts, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{batch.bank_file_name(period)}"'})


@router.post("/benefits/payroll/{period}/returns", response_model=ReturnImportOut,
             summary="导入银行退回文件：退回款重新计入基金，下次发放时重新发放；同一文件只登记一次")
def payroll_returns_import(period: Period, file: UploadFile = File(description="银行退回文件 CSV"),
                           actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    result = returns.import_returns(db, actor, period, file.file.read(returns.MAX_BYTES + 1))
    return ReturnImportOut(period=result.period, recorded=result.recorded,
                           repeated=result.repeated, amount=str(to_yuan(result.amount)),
                           problems=[ReturnProblem(**p) for p in result.problems])


@router.get("/benefits/payroll/{period}/returns", response_model=list[ReturnOut],
            summary="某月发放的银行退回记录")
def payroll_returns(period: Period, actor: Actor = Depends(api_actor),
                    db: Session = Depends(get_db)):
    return [ReturnOut(reference=x.reference, amount=str(to_yuan(x.amount)), reason=x.reason,
                      fund=x.fund, returned_on=x.returned_on, reissued=x.reissue_run_id is not None)
            for x in returns.returns_of(db, actor, period)]
