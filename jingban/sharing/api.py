"""Information sharing endpoints under /api/v1 — thin: HTTP in, service call, HTTP out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db
from jingban.sharing import rules, service
from jingban.sharing.models import FeedBatch
from jingban.sharing.schemas import (
    BatchDetail,
    BatchOut,
    BatchReceipt,
    FeedKind,
    RecordOut,
    RejectedRow,
)

router = APIRouter(tags=["信息共享 sharing"])


def receipt_out(batch: FeedBatch) -> BatchReceipt:
    rejected = [RejectedRow(line=r.line, code=r.error_code, message=r.error_message,
                            field=r.error_field)
                for r in batch.records if r.status == "rejected"]
    summary = BatchOut.model_validate(batch).model_dump()
    return BatchReceipt(**summary, repeat=batch.repeat, rejected_rows=rejected)


def detail_out(batch: FeedBatch) -> BatchDetail:
    summary = BatchOut.model_validate(batch).model_dump()
    return BatchDetail(**summary, header=batch.header,
                       records=[RecordOut.model_validate(r) for r in batch.records])


@router.post("/sharing/batches", status_code=201, response_model=BatchReceipt,
             summary="上传共享数据文件（单位登记信息或人口信息）",
             description="CSV（首行为表头，UTF-8）或 JSON 对象数组。同一文件重复上传时返回原批次"
                         "（200，repeat=true），不重复处理。")
def upload(response: Response, kind: FeedKind = Form(
               description="employer 单位 / population 人口 / judicial 在押服刑 / exit 出境定居 / "
                           "employment 就业登记与应征入伍"),
           file: UploadFile = File(description="共享数据文件"),
           actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = file.file.read(rules.MAX_FILE_BYTES + 1)
    batch = service.receive_batch(db, actor, kind=kind, filename=file.filename or "",
                                  content=content)
    if batch.repeat:
        response.status_code = 200
    return receipt_out(batch)


@router.get("/sharing/batches", response_model=list[BatchOut], summary="共享数据批次列表")
def list_batches(limit: int = Query(default=50, ge=1, le=500), actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return service.list_batches(db, actor, limit)


@router.get("/sharing/batches/{batch_id}", response_model=BatchDetail,
            summary="共享数据批次及其逐条处理结果")
def read_batch(batch_id: RowId, actor: Actor = Depends(api_actor),
               db: Session = Depends(get_db)):
    return detail_out(service.get_batch(db, actor, batch_id))
