"""The inspector's monitor page (异常监测疑点): the hit list with filters and Excel, the day's
run, and per hit the explanation that closes it or the mark for inspection — the same
services as the API. The supervisor reads; every act is checked again by the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import get_db
from jingban.oversight.monitors import batch, rules, service
from jingban.oversight.monitors.schemas import ExplainIn, InspectIn
from jingban.web.pages import page_actor, parse, posted, render, see_other

router = APIRouter()
PAGE = "/oversight/monitors"
HitId = Path(ge=1, le=2**62)
PAGE_SIZE = 100


def _day(text: str | None, field: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("monitors.date", "日期格式应为 YYYY-MM-DD", field) from None


def _filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {"monitor": q.get("monitor") or None, "status": q.get("status") or None,
            "subject_ref": q.get("subject_ref") or None,
            "raised_from": _day(q.get("raised_from"), "raised_from"),
            "raised_to": _day(q.get("raised_to"), "raised_to")}


def _page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    values = context.pop("values", None) or (dict(request.query_params) or {"status": "open"})
    try:
        filters = _filters(request) if request.query_params else {"status": "open"}
        found = service.hits(db, actor, **filters, limit=PAGE_SIZE)
    except JingbanError as exc:
        if exc.status == 403:
            raise
        found, status = {"total": 0, "rows": []}, exc.status
        context = {"error": exc, "form": "filter", **context}
    query = request.url.query or "status=open"
    return render(request, "oversight_monitors/hits.html", status=status, found=found,
                  runs=service.runs(db, actor, len(rules.ORDER)), values=values, query=query,
                  monitors={c: n for c, (n, _) in rules.MONITORS.items()},
                  statuses=rules.HIT_STATUS, **context)


@router.get(PAGE)
def hits_page(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _page(request, db, actor)


@router.get(PAGE + "/hits.xlsx")
def hits_xlsx(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.hits_xlsx(db, actor, **_filters(request)), "监测疑点.xlsx")


def _act(request: Request, db: Session, actor: Actor, form: str, values: dict, do):
    try:
        message = do()
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, status=exc.status, error=exc, form=form, values=values)
    return see_other(PAGE, message, request)


@router.post(PAGE + "/run")
def run(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
        db: Session = Depends(get_db)):
    def do():
        done = batch.run_monitors(db, actor)
        fresh = sum(r.hits for r in done if not r.repeat)
        if all(r.repeat for r in done):
            return "今日各项已监测过，未重复运行"
        return f"监测完成：新发现疑点 {fresh} 条"

    return _act(request, db, actor, "run", values, do)


@router.post(PAGE + "/hits/{hit_id}/explain")
def explain(request: Request, hit_id: int = HitId, values: dict = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        service.explain(db, actor, hit_id, parse(ExplainIn, values, {"reason": "说明理由"}))
        return f"疑点 {hit_id} 已说明并关闭"

    return _act(request, db, actor, f"explain-{hit_id}", values, do)


@router.post(PAGE + "/hits/{hit_id}/inspect")
def inspect(request: Request, hit_id: int = HitId, values: dict = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        service.mark_for_inspection(db, actor, hit_id, parse(InspectIn, values, {"reason": "转核查理由"}))
        return f"疑点 {hit_id} 已转入核查"

    return _act(request, db, actor, f"inspect-{hit_id}", values, do)
