"""Inspection endpoints under /api/v1/oversight/inspections (thin)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from jingban.cases.models import Case
from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.pdf import pdf_response
from jingban.oversight.inspections import export, service
from jingban.oversight.inspections.schemas import (
    CaseRef,
    ConclusionIn,
    CorrectionIn,
    HandoverIn,
    InspectionIn,
    InspectionOut,
    InspectKind,
    PlanIn,
    PlanOut,
)

router = APIRouter(tags=["核查 oversight"])
Status = Literal["investigating", "clean", "ordered", "corrected", "handed_over"]


def case_ref(case: Case) -> CaseRef:
    return CaseRef(case_id=case.id, case_number=case.number, item_code=case.item_code,
                   status=case.status, due_on=case.due_on)


def _one(db: Session, actor: Actor, inspection_id: int) -> InspectionOut:
    return InspectionOut.model_validate(service.out(db, service.get_inspection(db, actor, inspection_id)))


def _plan(db: Session, actor: Actor, plan_id: int) -> PlanOut:
    plan = service.get_plan(db, actor, plan_id)
    rows = service.inspections(db, actor, plan_id=plan.id, limit=5000)
    return PlanOut.model_validate(plan).model_copy(update={"inspections": [
        InspectionOut.model_validate(service.out(db, r)) for r in rows]})


@router.get("/oversight/inspections", response_model=list[InspectionOut], summary="核查台账")
def listing(status: Status | None = None, subject_kind: InspectKind | None = None,
            plan_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
            limit: int = Query(default=200, ge=1, le=1000),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    rows = service.inspections(db, actor, status=status, subject_kind=subject_kind,
                               plan_id=plan_id, limit=limit)
    return [InspectionOut.model_validate(service.out(db, r)) for r in rows]


@router.get("/oversight/inspections.xlsx", summary="核查台账（Excel）")
def listing_xlsx(status: Status | None = None, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return xlsx_response(*export.inspections_xlsx(db, actor, status))


@router.post("/oversight/inspections", status_code=201, response_model=InspectionOut,
             summary="核查立案（R§42；同一来源只立案一次）")
def open_one(data: InspectionIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    case = service.open_inspection(db, actor, subject_kind=data.subject_kind,
                                   subject_ref=data.subject_ref, reason=data.reason,
                                   origin=data.origin)
    return _one(db, actor, service.by_case(db, case.id).id)


@router.post("/oversight/inspections/plans", status_code=201, response_model=PlanOut,
             summary="制定核查计划（随机抽查或定向核查），为每个对象立案")
def create_plan(data: PlanIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _plan(db, actor, service.create_plan(db, actor, data).id)


@router.get("/oversight/inspections/plans", response_model=list[PlanOut], summary="核查计划")
def list_plans(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [PlanOut.model_validate(p) for p in service.plans(db, actor)]


@router.get("/oversight/inspections/plans/{plan_id}", response_model=PlanOut,
            summary="核查计划及其核查对象")
def get_plan(plan_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _plan(db, actor, plan_id)


@router.get("/oversight/inspections/plans/{plan_id}/redraw", response_model=list[str],
            summary="按计划的随机种子重新抽取（核验抽取结果可复现）")
def redraw(plan_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.redraw(db, actor, plan_id)


@router.get("/oversight/inspections/{inspection_id}", response_model=InspectionOut,
            summary="核查详情")
def detail(inspection_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _one(db, actor, inspection_id)


@router.post("/oversight/inspections/{inspection_id}/conclusion", status_code=201,
             response_model=CaseRef, summary="提交核查结论（有违规的责令限期改正，R§44），两级审核")
def conclude(inspection_id: RowId, data: ConclusionIn, actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    return case_ref(service.submit_conclusion(db, actor, inspection_id, data))


@router.post("/oversight/inspections/{inspection_id}/correction", response_model=InspectionOut,
             summary="登记改正情况")
def correction(inspection_id: RowId, data: CorrectionIn, actor: Actor = Depends(api_actor),
               db: Session = Depends(get_db)):
    service.record_correction(db, actor, inspection_id, data)
    return _one(db, actor, inspection_id)


@router.post("/oversight/inspections/{inspection_id}/handover", status_code=201,
             response_model=CaseRef, summary="提请移交行政部门（逾期未改正，R§44），一级审核")
def handover(inspection_id: RowId, data: HandoverIn, actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    return case_ref(service.submit_handover(db, actor, inspection_id, data))


@router.get("/oversight/inspections/{inspection_id}/handover.pdf", summary="移交书（PDF）")
def handover_sheet(inspection_id: RowId, actor: Actor = Depends(api_actor),
                   db: Session = Depends(get_db)):
    return pdf_response(*export.handover_pdf(db, actor, inspection_id))
