"""Complaint and report endpoints under /api/v1/oversight/complaints (R§51). The public intake
needs no login; every other endpoint a bearer token, and only the complaint post sees who
reported."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.errors import PermissionDenied
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, bearer, get_db
from jingban.oversight.complaints import service
from jingban.oversight.complaints.models import Complaint
from jingban.oversight.complaints.schemas import (
    ComplaintIn,
    ComplaintOut,
    CounterComplaintIn,
    InvestigationIn,
    NoticeIn,
    OutcomeIn,
    PortalComplaintIn,
    ReceiptOut,
    RewardIn,
    ScreeningIn,
)
from jingban.oversight.inspections.api import case_ref
from jingban.oversight.inspections.schemas import CaseRef

router = APIRouter(tags=["举报投诉 complaints"])
Status = Query(default=None, pattern="^(received|accepted|not_accepted|transferred|investigating|concluded)$")


def _receipt(row: Complaint) -> ReceiptOut:
    return ReceiptOut(number=row.number or "", received_on=row.received_on,
                      screening_due=row.screening_due, notice_due=row.notice_due,
                      due_provisional=row.due_provisional)


@router.post("/oversight/complaints/public", status_code=201, response_model=ReceiptOut,
             summary="公开举报投诉（无需登录；可匿名）")
def report_public(data: ComplaintIn, request: Request, token: str | None = Depends(bearer),
                  db: Session = Depends(get_db)):
    if token:  # a signed-in user reports in his own name (online) or records it (the post)
        api_actor(request, token, db)
        raise PermissionDenied("complaint.public_only", "已登录用户请通过网上举报"
                               "（/oversight/complaints/online）或由举报投诉岗登记，公开举报仅供未登录的公众使用")
    return _receipt(service.receive_public(db, data))


@router.post("/oversight/complaints/online", status_code=201, response_model=ReceiptOut,
             summary="参保人、参保单位网上举报投诉")
def report_online(data: PortalComplaintIn, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return _receipt(service.receive_online(db, actor, data))


@router.get("/oversight/complaints/mine", response_model=list[ComplaintOut],
            summary="本人（本单位）提交的实名举报投诉")
def my_complaints(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [service.present(actor, r) for r in service.mine(db, actor)]


@router.post("/oversight/complaints", status_code=201, response_model=ComplaintOut,
             summary="柜台来访、电话举报投诉登记")
def receive(data: CounterComplaintIn, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    return service.present(actor, service.receive(db, actor, data))


@router.get("/oversight/complaints", response_model=list[ComplaintOut], summary="举报投诉列表")
def list_complaints(status: str | None = Status, limit: int = Query(default=200, ge=1, le=1000),
                    actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [service.present(actor, r) for r in service.listing(db, actor, status, limit)]


@router.get("/oversight/complaints/export.xlsx", summary="举报投诉列表导出（不含举报人信息）")
def export(status: str | None = Status, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    return xlsx_response(*service.export_xlsx(db, actor, status))


@router.get("/oversight/complaints/{complaint_id}", response_model=ComplaintOut,
            summary="一件举报投诉")
def get_complaint(complaint_id: RowId, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return service.present(actor, service.get(db, actor, complaint_id))


@router.post("/oversight/complaints/{complaint_id}/screening", response_model=ComplaintOut,
             summary="审查：受理、不予受理或移送（5个工作日内）")
def screen(complaint_id: RowId, data: ScreeningIn, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    return service.present(actor, service.screen(db, actor, complaint_id, data))


@router.post("/oversight/complaints/{complaint_id}/notice", response_model=ComplaintOut,
             summary="告知实名举报人受理情况（10个工作日内）")
def tell(complaint_id: RowId, data: NoticeIn, actor: Actor = Depends(api_actor),
         db: Session = Depends(get_db)):
    return service.present(actor, service.tell_reporter(db, actor, complaint_id, data))


@router.post("/oversight/complaints/{complaint_id}/investigation", response_model=ComplaintOut,
             summary="转入调查（关联核查业务件）")
def investigate(complaint_id: RowId, data: InvestigationIn, actor: Actor = Depends(api_actor),
                db: Session = Depends(get_db)):
    return service.present(actor, service.investigate(db, actor, complaint_id, data))


@router.post("/oversight/complaints/{complaint_id}/inspection", status_code=201,
             response_model=CaseRef, summary="对被举报对象立案核查并关联（举报人信息不随之移交）")
def inspect(complaint_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return case_ref(service.open_inspection(db, actor, complaint_id))


@router.post("/oversight/complaints/{complaint_id}/outcome", response_model=ComplaintOut,
             summary="办结：登记处理结果和查实金额")
def conclude(complaint_id: RowId, data: OutcomeIn, actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    return service.present(actor, service.conclude(db, actor, complaint_id, data))


@router.post("/oversight/complaints/{complaint_id}/reward", response_model=ComplaintOut,
             summary="发放举报奖励（查证属实的实名举报，仅一次）")
def reward(complaint_id: RowId, data: RewardIn, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    return service.present(actor, service.pay_reward(db, actor, complaint_id, data))
