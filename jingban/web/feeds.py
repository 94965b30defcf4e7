"""Feed upload pages (共享数据接收): the same sharing service as /api/v1/sharing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.http import get_db
from jingban.sharing import rules, service
from jingban.web.pages import page_actor, posted, render, see_other

router = APIRouter()


def _feeds_page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    return render(request, "feeds.html", status=status, kinds=rules.KINDS,
                  batches=service.list_batches(db, actor, 50), **context)


@router.get("/feeds")
def feeds(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _feeds_page(request, db, actor)


def _upload(values: dict[str, Any]) -> tuple[str, bytes]:
    upload = values.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("sharing.file", "请选择要上传的数据文件", "file")
    return upload.filename, upload.file.read(rules.MAX_FILE_BYTES + 1)


@router.post("/feeds")
def feed_upload(request: Request, values: dict[str, Any] = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        filename, content = _upload(values)
        batch = service.receive_batch(db, actor, kind=str(values.get("kind", "")),
                                      filename=filename, content=content)
    except JingbanError as exc:
        shown = {"kind": values.get("kind", "")}
        return _feeds_page(request, db, actor, status=exc.status, error=exc, values=shown)
    notice = ("该文件此前已接收，未重复处理，以下为原批次结果" if batch.repeat
              else "共享数据文件已接收并处理")
    return see_other(f"/feeds/{batch.id}", notice, request)


@router.get("/feeds/{batch_id}")
def feed_batch(request: Request, batch_id: int, actor: Actor = Depends(page_actor),
               db: Session = Depends(get_db)):
    batch = service.get_batch(db, actor, batch_id)
    rejected = [r for r in batch.records if r.status == "rejected"]
    return render(request, "feed_batch.html", batch=batch, rejected=rejected,
                  kinds=rules.KINDS, record_status=rules.STATUS)
