"""Payroll pages: the monthly payroll, its detail and bank file — the same services as the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jingban.benefits.common import rules
from jingban.benefits.payroll import batch, returns
from jingban.core import clock, privacy
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.http import get_db
from jingban.web.pages import page_actor, posted, render, see_other

router = APIRouter()
Form = dict[str, Any]
Period = Annotated[int, Path(ge=190001, le=299912)]


# --- monthly payroll (待遇发放) -------------------------------------------------------------------

def _payroll_page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    today = clock.today()
    return render(request, "benefits_payroll.html", status=status,
                  runs=[(r, batch.bank_rows(db, r)) for r in batch.list_runs(db, actor)],
                  pending=batch.pending(db, actor), item_kinds=batch.ITEM_KINDS,
                  suggested=rules.period_of(today.year, today.month), **context)


@router.get("/benefits/payroll")
def payroll_index(request: Request, actor: Actor = Depends(page_actor),
                  db: Session = Depends(get_db)):
    return _payroll_page(request, db, actor)


@router.post("/benefits/payroll")
def payroll_run(request: Request, values: Form = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    raw = str(values.get("period") or "").strip()
    try:
        if not raw.isdigit():
            raise InvalidInput("payroll.period", "发放月份格式应为 YYYYMM", "period")
        run = batch.run_payroll(db, actor, int(raw))
    except JingbanError as exc:
        db.rollback()
        return _payroll_page(request, db, actor, status=exc.status, error=exc, values=values)
    return see_other(f"/benefits/payroll/{run.period}",
                     f"{run.period} 待遇发放已完成（已发放的不会重复发放）", request)


def _detail(request: Request, db: Session, actor: Actor, period: int, status: int = 200,
            **context: Any):
    run = batch.get_run(db, actor, period)
    return render(request, "benefits_payroll_run.html", status=status, run=run,
                  bank_rows=batch.bank_rows(db, run), header=batch.BANK_HEADER,
                  kinds=batch.breakdown(db, run), waiting=batch.waiting_vouchers(db, run),
                  returned=returns.returns_of(db, actor, period), **context)


@router.get("/benefits/payroll/{period}")
def payroll_detail(request: Request, period: Period, actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    return _detail(request, db, actor, period)


@router.post("/benefits/payroll/{period}/returns")
def payroll_returns(request: Request, period: Period, values: Form = Depends(posted),
                    actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        upload = values.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("payroll.return_file", "请选择银行退回文件", "file")
        result = returns.import_returns(db, actor, period, upload.file.read(returns.MAX_BYTES + 1))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, period, status=exc.status, error=exc)
    return _detail(request, db, actor, period, imported=result)


@router.get("/benefits/payroll/{period}/bank-file")
def payroll_bank_file(period: Period, actor: Actor = Depends(page_actor),
                      db: Session = Depends(get_db)):
    parts = batch.bank_file(db, actor, period)
    # the bank file carries the real accounts: logged as an export of personal data (secdata)
    privacy.log_export(db, actor, f"bank_file:{period}", 0, permission="benefits.payroll_read")
    return StreamingResponse(parts, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{batch.bank_file_name(period)}"'})
