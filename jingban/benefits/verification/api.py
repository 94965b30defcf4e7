"""Eligibility verification endpoints under /api/v1/benefits/verification (thin).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from jingban.benefits.verification import service as verification
from jingban.benefits.verification.schemas import (
    CertificationIn,
    HitOut,
    InvestigationFindings,
    RunOut,
    TaskIn,
    TaskOut,
    TaskResultIn,
)
from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db

router = APIRouter(tags=["待遇停发、资格核验与追回 benefits"])
Ssn = Path(min_length=1, max_length=18, description="社会保障号码")
HIT_STATUSES = ("open", "investigating", "stopped", "confirmed", "resumed")


# --- verification -------------------------------------------------------------------------------

def _run_out(run) -> RunOut:
    return RunOut.model_validate(run).model_copy(update={"repeat": run.repeat})


@router.post("/benefits/verification/runs", status_code=201, response_model=RunOut,
             summary="资格信息比对（每日一次，当日重复执行返回原批次）",
             responses={200: {"model": RunOut, "description": "当日已比对：返回原批次"}})  # fuzzload
def run_matching(response: Response, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    run = verification.run_matching(db, actor)
    if run.repeat:
        response.status_code = 200
    return _run_out(run)


@router.get("/benefits/verification/runs", response_model=list[RunOut], summary="资格比对批次")
def runs(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [_run_out(r) for r in verification.runs(db, actor)]


@router.get("/benefits/verification/hits", response_model=list[HitOut], summary="比对疑点")
def hits(status: list[str] = Query(default=["open", "investigating"],
                                   description="open 待处理，investigating 调查中，stopped，confirmed"),
         actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    wanted = tuple(s for s in status if s in HIT_STATUSES) or ("open",)
    return verification.hits(db, actor, wanted)


@router.post("/benefits/verification/hits/{hit_id}/investigation", status_code=201,
             summary="疑点转调查核实（受理为三级审核业务件）")
def investigate(data: InvestigationFindings, hit_id: int = Path(ge=1, le=2**62),
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    case = verification.open_investigation(db, actor, hit_id, data)
    return {"case_id": case.id, "number": case.number, "status": case.status,
            "due_on": case.due_on, "due_provisional": case.due_provisional}


@router.get("/benefits/verification/unconfirmed", summary="超过认证周期未确认领取资格的人员")
def unconfirmed(limit: int = Query(default=100, ge=1, le=500),
                offset: int = Query(default=0, ge=0, le=10_000_000),
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return verification.unconfirmed(db, actor, limit, offset)


@router.post("/benefits/verification/certifications/{ssn}", status_code=201,
             summary="登记资格认证（本人人脸/远程认证，或柜台、单位、第三方核实）")
def certify(data: CertificationIn, ssn: str = Ssn, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    row = verification.certify(db, actor, ssn, data)
    return {"id": row.id, "method": row.method, "confirmed_on": row.confirmed_on}


@router.get("/benefits/verification/certifications/{ssn}", summary="资格认证记录")
def certifications(ssn: str = Ssn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [{"id": c.id, "method": c.method, "confirmed_on": c.confirmed_on,
             "reference": c.reference} for c in verification.certifications(db, actor, ssn)]


@router.post("/benefits/verification/tasks/{ssn}", status_code=201, response_model=TaskOut,
             summary="委托用人单位或第三方机构核实领取资格")
def entrust(data: TaskIn, ssn: str = Ssn, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    return verification.entrust(db, actor, ssn, data)


@router.get("/benefits/verification/tasks", response_model=list[TaskOut], summary="委托核实任务")
def tasks(status: str | None = Query(default="open", max_length=16),
          actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [t for t, _ in verification.tasks(db, actor, status or None)]


@router.post("/benefits/verification/tasks/{task_id}/result", response_model=TaskOut,
             summary="登记委托核实结果")
def task_result(data: TaskResultIn, task_id: RowId, actor: Actor = Depends(api_actor),
                db: Session = Depends(get_db)):
    return verification.record_result(db, actor, task_id, data)
