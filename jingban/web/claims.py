"""Claim pages: the reviewer's month (upload, review run, flagged lines to decide, Excel of the
review results, settlements to prepare and release) and the institution's portal page (its
settlements with every cut line and reason, its uploads, its objection). The same services as
the API; every act is checked again by the service."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile  # claims13: what request.form() gives

from jingban.agreements.claims import rules, service, settlement, upload
from jingban.agreements.claims.models import Claim
from jingban.agreements.institutions.models import Institution
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import get_db
from jingban.core.money import parse_yuan
from jingban.web.pages import page_actor, posted, render, see_other, signed_in

router = APIRouter()
PAGE, PORTAL = "/claims", "/my/institution"


def _period(value: Any, default: int | None = None) -> int:
    text = str(value or "").strip()
    if not text and default is not None:
        return default
    if not text.isdigit():
        raise InvalidInput("claims.period", "结算月份应为 YYYYMM", "period")
    return service.check_period(int(text))


def last_month() -> int:
    today = clock.today()
    return (today.year - 1) * 100 + 12 if today.month == 1 else today.year * 100 + today.month - 1


def _months(db: Session, period: int) -> list[dict[str, Any]]:
    """Each institution and fund with claims this month: counts, how many of its claims are in no
    settlement yet, how many settlements it has (a supplementary one after the first)."""
    rows = db.execute(select(Claim.institution_id, Institution.name, Claim.fund,
                             func.count(Claim.id), func.sum(Claim.total_fen),
                             func.count(Claim.id) - func.count(Claim.settlement_id))
                      .join(Institution, Institution.id == Claim.institution_id)
                      .where(Claim.period == period)
                      .group_by(Claim.institution_id, Institution.name, Claim.fund)
                      .order_by(Claim.institution_id, Claim.fund)).all()
    return [{"institution_id": i, "institution": n, "fund": f, "claims": c, "total_fen": t,
             "unsettled": int(u), "settled": settlement.month_status(db, i, f, period),
             "undecided": service.undecided_count(db, i, f, period)} for i, n, f, c, t, u in rows]


def _page(request: Request, db: Session, actor: Actor, period: int | None = None,
          status: int = 200, **context: Any):
    period = period or _period(request.query_params.get("period"), last_month())
    values = context.pop("values", None) or {"period": period}
    return render(request, "claims/review.html", status=status, period=period, values=values,
                  flags=service.flagged(db, actor, period, limit=2000),
                  runs=[(r, json.loads(r.hits)) for r in service.runs(db, actor, 5)],
                  uploads=[(u, service.problems_of(u)) for u in service.uploads(db, actor, limit=20)],
                  months=_months(db, period),
                  settlements=settlement.settlements(db, actor), decisions=rules.DECISIONS,
                  funds=upload.FUNDS, statuses=settlement.STATUSES,
                  institutions=db.execute(select(Institution.id, Institution.name)
                                          .order_by(Institution.id)).all(), **context)


@router.get(PAGE)
def review_page(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _page(request, db, actor)


@router.get(PAGE + "/flags.xlsx")
def flags_xlsx(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    period = _period(request.query_params.get("period"), last_month())
    return xlsx_response(service.flagged_xlsx(db, actor, period), f"审核结果{period}.xlsx")


def _act(request: Request, db: Session, actor: Actor, form: str, values: dict, do):
    period = None
    try:
        period = _period(values.get("period"), last_month())
        message = do(period)
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, period, status=exc.status, error=exc, form=form,
                     values=values)
    return see_other(f"{PAGE}?period={period}", message, request)


async def _file(values: dict) -> tuple[str, bytes]:
    file = values.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        raise InvalidInput("claims.file", "请选择要上传的结算单文件", "file")
    return file.filename, await file.read(upload.MAX_FILE_BYTES + 1)


@router.post(PAGE + "/upload")
async def upload_page(request: Request, values: dict = Depends(posted),
                      actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        name, content = await _file(values)
    except JingbanError as exc:
        return _page(request, db, actor, status=exc.status, error=exc, form="upload", values=values)

    def do(period):
        inst = int(values["institution_id"]) if str(values.get("institution_id", "")).isdigit() else None
        row = service.upload_claims(db, actor, inst, period, name, content)
        return f"已接收结算单 {row.claims} 张（明细 {row.lines} 条），退回 {len(service.problems_of(row))} 张"

    return _act(request, db, actor, "upload", {k: v for k, v in values.items() if k != "file"}, do)


@router.post(PAGE + "/review")
def review(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    def do(period):
        run = service.run_review(db, actor, period)
        return f"审核完成：{run.claims} 张结算单、{run.lines} 条明细，新发现疑点见下表"

    return _act(request, db, actor, "review", values, do)


@router.post(PAGE + "/lines/{line_id}/decide")
def decide(request: Request, line_id: int = Path(ge=1, le=2**31 - 1), values: dict = Depends(posted),
           actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do(_period):
        cut = str(values.get("cut") or "").strip()
        service.decide_line(db, actor, line_id, str(values.get("decision") or ""),
                            parse_yuan(cut, "cut") if cut else None, str(values.get("reason") or ""))
        return f"明细 {line_id} 已审核"

    return _act(request, db, actor, f"line-{line_id}", values, do)


@router.post(PAGE + "/settle")
def settle(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    def do(period):
        inst = str(values.get("institution_id") or "")
        more = str(values.get("supplementary") or "") == "1"
        case = settlement.prepare(db, actor, int(inst) if inst.isdigit() else 0,
                                  str(values.get("fund") or ""), period, more)
        return f"{'补充' if more else '月度'}结算已提交审核，业务件号 {case.number}"

    return _act(request, db, actor, "settle", values, do)


@router.post(PAGE + "/settlements/{settlement_id}/release")
def release(request: Request, settlement_id: int = Path(ge=1, le=2**31 - 1), values: dict = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do(_period):
        settlement.release(db, actor, settlement_id)
        return f"结算 {settlement_id} 已拨付"

    return _act(request, db, actor, f"release-{settlement_id}", values, do)


# --- the institution's portal page ---------------------------------------------------------------

def _portal(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    try:
        view = settlement.portal(db, actor)
    except JingbanError as exc:
        return render(request, "claims/portal.html", status=exc.status, view=None, error=exc)
    return render(request, "claims/portal.html", status=status, view=view,
                  period=last_month(), **context)


@router.get(PORTAL)
def portal_page(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    return _portal(request, db, actor)


@router.post(PORTAL + "/upload")
async def portal_upload(request: Request, values: dict = Depends(posted),
                        actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    try:
        name, content = await _file(values)
        row = service.upload_claims(db, actor, None, _period(values.get("period")), name, content)
    except JingbanError as exc:
        db.rollback()
        return _portal(request, db, actor, status=exc.status, error=exc, form="upload")
    bad = len(service.problems_of(row))
    return see_other(PORTAL, f"已接收结算单 {row.claims} 张，退回 {bad} 张", request)


@router.post(PORTAL + "/settlements/{settlement_id}/objection")
async def portal_objection(request: Request, settlement_id: int = Path(ge=1, le=2**31 - 1),
                           actor: Actor = Depends(signed_in), db: Session = Depends(get_db),
                           values: dict = Depends(posted)):
    form = await request.form()
    try:
        lines = [int(x) for x in form.getlist("line_id") if str(x).isdigit()]
        if not lines:
            raise InvalidInput("claims.objection_lines", "请勾选有异议的明细", "line_id")
        case = settlement.object_to(db, actor, settlement_id, lines, str(values.get("reason") or ""))
    except JingbanError as exc:
        db.rollback()
        return _portal(request, db, actor, status=exc.status, error=exc, form=f"object-{settlement_id}")
    return see_other(PORTAL, f"异议已提交，业务件号 {case.number}", request)
