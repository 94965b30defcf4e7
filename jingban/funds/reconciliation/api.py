"""Reconciliation endpoints under /api/v1/funds/reconciliations (thin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.funds.reconciliation import rules, service
from jingban.funds.reconciliation.schemas import (
    DifferenceOut,
    ProblemRow,
    ReconciliationOut,
    ReconciliationSummary,
    ResolveIn,
)

router = APIRouter(tags=["社会保险基金对账 funds"])


def record_out(db: Session, actor: Actor, record_id: int, repeat: bool = False) -> ReconciliationOut:
    shown = service.view(db, actor, record_id)
    return ReconciliationOut(
        **ReconciliationSummary.model_validate(shown["record"]).model_dump(), repeat=repeat,
        differences=[DifferenceOut.model_validate(d) for d in shown["differences"]],
        problems=[ProblemRow(line=r.line, field=r.problem_field, message=r.problem, raw=r.raw)
                  for r in shown["problems"]])


@router.post("/funds/reconciliations", status_code=201, response_model=ReconciliationOut,
             summary="导入对账单并逐笔对账（CSV 或 Excel；同一文件重复导入返回原结果，200）")
def upload(response: Response, fund: str = Form(max_length=24), account: str = Form(max_length=12),
           period: int = Form(ge=190001, le=299912), file: UploadFile = File(description="对账单文件"),
           actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = file.file.read(rules.MAX_FILE_BYTES + 1)
    record = service.import_statement(db, actor, fund=fund, account=account, period=period,
                                      filename=file.filename or "", content=content)
    if record.repeat:
        response.status_code = 200
    return record_out(db, actor, record.id, record.repeat)


@router.get("/funds/reconciliations", response_model=list[ReconciliationSummary], summary="对账记录")
def listing(fund: str | None = Query(default=None, max_length=24),
            period: int | None = Query(default=None, ge=190001, le=299912),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.reconciliations(db, actor, fund=fund, period=period)


@router.get("/funds/reconciliations.xlsx", summary="对账记录（Excel）")
def listing_xlsx(fund: str | None = Query(default=None, max_length=24),
                 period: int | None = Query(default=None, ge=190001, le=299912),
                 actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.list_xlsx(db, actor, fund=fund, period=period), "对账记录.xlsx")


@router.get("/funds/reconciliations/{record_id}", response_model=ReconciliationOut,
            summary="对账记录及其差异、问题行")
def one(record_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return record_out(db, actor, record_id)


@router.post("/funds/reconciliations/{record_id}/differences/{difference_id}/resolve",
             response_model=DifferenceOut, summary="处理差异（写明理由）")
def resolve(data: ResolveIn, record_id: RowId, difference_id: RowId,
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.resolve(db, actor, record_id, difference_id, data.reason)


@router.get("/funds/reconciliations/{record_id}/differences.xlsx", summary="差异清单（Excel）")
def differences_xlsx(record_id: RowId, actor: Actor = Depends(api_actor),
                     db: Session = Depends(get_db)):
    content, name = service.differences_xlsx(db, actor, record_id)
    return xlsx_response(content, name)
