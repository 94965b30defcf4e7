"""Reconciliation pages (对账): the list with the upload form and the flags, one record with its
rows, differences (resolve form) and problem rows — the same service as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.funds.ledger.rules import FUNDS
from jingban.funds.reconciliation import rules, service
from jingban.web.pages import page_actor, posted, render, see_other

router = APIRouter()
NAMES = {"funds": FUNDS, "accounts": rules.ACCOUNT_KINDS, "statuses": rules.STATUSES,
         "kinds": rules.DIFFERENCE_KINDS, "directions": rules.DIRECTIONS}


def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    return render(request, "funds_reconciliation.html", status=status,
                  records=service.reconciliations(db, actor),
                  flags=service.flags(db, actor, clock.today().year), **NAMES, **context)


@router.get("/funds/reconciliations")
def listing(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor)


@router.post("/funds/reconciliations")
def upload(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    try:
        upload = values.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("funds.statement_file", "请选择对账单文件", "file")
        period = str(values.get("period") or "")
        if not period.isdigit():
            raise InvalidInput("funds.period", "对账期间应为 YYYYMM", "period")
        record = service.import_statement(
            db, actor, fund=str(values.get("fund") or ""), account=str(values.get("account") or ""),
            period=int(period), filename=upload.filename,
            content=upload.file.read(rules.MAX_FILE_BYTES + 1))
    except JingbanError as exc:
        db.rollback()
        return _list(request, db, actor, status=exc.status, error=exc, values=values)
    notice = "该对账单此前已导入，未重复对账" if record.repeat else "对账单已导入并完成逐笔对账"
    return see_other(f"/funds/reconciliations/{record.id}", notice, request)


def _detail(request: Request, db: Session, actor: Actor, record_id: int, status: int = 200,
            **context: Any):
    return render(request, "funds_reconciliation_detail.html", status=status,
                  shown=service.view(db, actor, record_id), voucher_no=rules.voucher_no,
                  **NAMES, **context)


@router.get("/funds/reconciliations/{record_id}")
def detail(request: Request, record_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, record_id)


@router.post("/funds/reconciliations/{record_id}/differences/{difference_id}/resolve")
def resolve(request: Request, record_id: RowId, difference_id: RowId,
            values: dict = Depends(posted), actor: Actor = Depends(page_actor),
            db: Session = Depends(get_db)):
    try:
        service.resolve(db, actor, record_id, difference_id, str(values.get("reason") or ""))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, record_id, status=exc.status, error=exc,
                       form=f"resolve{difference_id}")
    return see_other(f"/funds/reconciliations/{record_id}", "差异已处理", request)


@router.get("/funds/reconciliations/{record_id}/differences.xlsx")
def differences_xlsx(record_id: RowId, actor: Actor = Depends(page_actor),
                     db: Session = Depends(get_db)):
    return xlsx_response(*service.differences_xlsx(db, actor, record_id))
