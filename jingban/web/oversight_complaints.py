"""Complaint pages (举报投诉, R§51): the complaint post's list (with the Excel export and the
counter/phone intake), one complaint with its screening, notice, investigation, outcome and
reward forms; the public form (no login) and the portal form — the same service as the API."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import JingbanError, NotFound
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.oversight.complaints import rules, service
from jingban.oversight.complaints.schemas import (
    ComplaintIn,
    CounterComplaintIn,
    InvestigationIn,
    NoticeIn,
    OutcomeIn,
    PortalComplaintIn,
    RewardIn,
    ScreeningIn,
)
from jingban.oversight.inspections import service as inspections
from jingban.web.pages import page_actor, parse, posted, render, see_other, signed_in
from jingban.web.portal import NOTICE_KINDS

router = APIRouter()
M = TypeVar("M", bound=BaseModel)
NOTICE_KINDS.update({"complaint_screened": "举报受理情况告知", "complaint_concluded": "举报处理结果告知",
                     "complaint_reward": "举报奖励发放通知", "reopened": "重新办理通知"})
NAMES = {"kinds": rules.KINDS, "channels": rules.CHANNELS, "accused_kinds": rules.ACCUSED_KINDS,
         "screenings": rules.SCREENINGS, "outcomes": rules.OUTCOMES, "statuses": rules.STATUSES,
         "notice_channels": rules.NOTICE_CHANNELS, "step_names": rules.STEP_NAMES}
TITLES = {"reporter_name": "举报人姓名", "reporter_id_number": "举报人证件号码",
          "reporter_phone": "联系电话", "reporter_email": "电子邮箱", "accused_kind": "被举报对象类别",
          "accused_ref": "对象代码", "accused_name": "被举报对象名称", "facts": "事实和线索",
          "reason": "审查意见", "transferred_to": "移送部门", "late_reason": "超期原因",
          "note": "说明", "confirmed_yuan": "查实金额（元）", "reference": "奖励发放凭证号",
          "channel": "方式", "screening": "审查结论", "outcome": "处理结果"}
CHECKBOXES = ("anonymous", "wants_notice")


def _parse(schema: type[M], values: dict) -> M:
    """The form as the API's request model (a model check's own Chinese message is kept)."""
    return parse(schema, values, TITLES)


def _flags(values: dict) -> dict:
    """Ticked boxes as booleans; an unticked box is false (a form does not send it)."""
    return {**values, **{name: "true" if values.get(name) else "false" for name in CHECKBOXES}}


# --- the complaint post ---------------------------------------------------------------------------

def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    shown = context.pop("filter", None) or None
    rows = service.listing(db, actor, shown if shown in rules.STATUSES else None)
    return render(request, "oversight_complaints/list.html", status=status,
                  rows=[service.present(actor, r) for r in rows], today=clock.today(),
                  overdue={r.id: service.overdue(r, clock.today()) for r in rows},
                  shown_status=shown, request_id=uuid.uuid4().hex, limits=service.limits(db),
                  **NAMES, **context)


@router.get("/oversight/complaints")
def listing(request: Request, status: str | None = None, actor: Actor = Depends(page_actor),
            db: Session = Depends(get_db)):
    return _list(request, db, actor, filter=status)


@router.post("/oversight/complaints")
def take(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
         db: Session = Depends(get_db)):
    try:
        row = service.receive(db, actor, _parse(CounterComplaintIn, _flags(values)))
    except JingbanError as exc:
        db.rollback()
        return _list(request, db, actor, status=exc.status, error=exc, values=values, form="take")
    return see_other(f"/oversight/complaints/{row.id}", f"已登记举报投诉 {row.number}", request)


@router.get("/oversight/complaints/export.xlsx")
def export(status: str | None = None, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return xlsx_response(*service.export_xlsx(db, actor, status if status in rules.STATUSES
                                              else None))


def _detail(request: Request, db: Session, actor: Actor, complaint_id: int, status: int = 200,
            **context: Any):
    row = service.get(db, actor, complaint_id)
    linked = inspections.by_case(db, row.inspection_case_id) if row.inspection_case_id else None
    return render(request, "oversight_complaints/detail.html", status=status,
                  c=service.present(actor, row), late=service.overdue(row, clock.today()),
                  inspection=linked,
                  limits=service.limits(db), **NAMES, **context)


@router.get("/oversight/complaints/{complaint_id}")
def detail(request: Request, complaint_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, complaint_id)


@router.post("/oversight/complaints/{complaint_id}/inspection")
def inspect(request: Request, complaint_id: RowId, values: dict = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    """One click: the inspection of the accused, filed and linked to the report."""
    try:
        case = service.open_inspection(db, actor, complaint_id)
        found = inspections.by_case(db, case.id)
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, complaint_id, status=exc.status, error=exc,
                       values=values, form="inspection")
    return see_other(f"/oversight/inspections/{found.id}",
                     f"已立案核查，业务件号{case.number}，已关联举报投诉", request)


STEPS = {"screening": (ScreeningIn, service.screen, "审查结论已登记"),
         "notice": (NoticeIn, service.tell_reporter, "已告知举报人"),
         "investigation": (InvestigationIn, service.investigate, "已转入调查"),
         "outcome": (OutcomeIn, service.conclude, "处理结果已登记"),
         "reward": (RewardIn, service.pay_reward, "举报奖励已发放")}


@router.post("/oversight/complaints/{complaint_id}/{step}")
def act(request: Request, complaint_id: RowId, step: str, values: dict = Depends(posted),
        actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    if step not in STEPS:
        raise NotFound("http.not_found", "请求的地址不存在")
    schema, run, done = STEPS[step]
    try:
        run(db, actor, complaint_id, _parse(schema, values))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, complaint_id, status=exc.status, error=exc,
                       values=values, form=step)
    return see_other(f"/oversight/complaints/{complaint_id}", done, request)


# --- the public form and the portal form ------------------------------------------------------------

def _public(request: Request, db: Session, status: int = 200, **context: Any):
    return render(request, "oversight_complaints/public.html", status=status,
                  request_id=uuid.uuid4().hex, limits=service.limits(db), **NAMES, **context)


@router.get("/public/complaints")
def public_form(request: Request, db: Session = Depends(get_db)):
    return _public(request, db)


@router.post("/public/complaints")
def public_report(request: Request, values: dict = Depends(posted), db: Session = Depends(get_db)):
    try:
        row = service.receive_public(db, _parse(ComplaintIn, _flags(values)))
    except JingbanError as exc:
        db.rollback()
        return _public(request, db, status=exc.status, error=exc, values=values)
    return _public(request, db, receipt=row)


def _mine(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    return render(request, "oversight_complaints/mine.html", status=status,
                  rows=service.mine(db, actor), request_id=uuid.uuid4().hex,
                  limits=service.limits(db), **NAMES, **context)


@router.get("/my/complaints")
def my_complaints(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    require(actor, "complaints.report")
    return _mine(request, db, actor)


@router.post("/my/complaints")
def my_report(request: Request, values: dict = Depends(posted), actor: Actor = Depends(signed_in),
              db: Session = Depends(get_db)):
    try:
        row = service.receive_online(db, actor, _parse(PortalComplaintIn, _flags(values)))
    except JingbanError as exc:
        db.rollback()
        return _mine(request, db, actor, status=exc.status, error=exc, values=values)
    notice = f"举报投诉已提交，编号 {row.number}，将于 {row.screening_due} 前完成审查"
    return see_other("/my/complaints", notice, request)
