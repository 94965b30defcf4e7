"""Case endpoints under /api/v1: intake, review, materials, lists, dashboard, catalog."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from jingban.cases import catalog, rules, service
from jingban.cases.models import Case
from jingban.cases.rules import Item
from jingban.cases.schemas import (
    CaseBrief,
    CaseCreate,
    CaseOut,
    Claim,
    Decision,
    MaterialCodes,
    MaterialOut,
    NotificationOut,
    Reason,
    Resubmission,
    StepOut,
)
from jingban.core import privacy  # secaudit
from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db

router = APIRouter(tags=["业务件 cases"])


def submit_for(db: Session, actor: Actor, item_code: str, key: dict, data,
               request_id: str | None) -> CaseOut:
    """An area's endpoint that starts a case of ``item_code`` about ``key`` (e.g. {"ssn": …})
    from a request model carrying ``materials``; the rest of the request is the payload."""
    payload = {**key, **data.model_dump(mode="json", exclude_none=True, exclude={"materials"})}
    return case_out(db, service.submit(db, actor, item_code, payload, provided=data.materials,
                                       request_id=request_id))


def case_out(db: Session, case: Case, actor: Actor | None = None) -> CaseOut:
    """``actor``: the reader, for whom the application's IDs, phones and accounts are masked
    (the SSN stays: it is the applicant key) (secaudit)."""
    payload = service.payload_of(case)
    if actor is not None:  # secaudit
        payload = privacy.redact(payload, actor, keep=("ssn",))
    return CaseOut(
        id=case.id, number=case.number, item=case.item_code,
        item_name=catalog.item(case.item_code).name, channel=case.channel, status=case.status,
        status_name=rules.STATUS_NAMES[case.status], subject=case.subject,
        applicant_key=case.applicant_key, applicant_name=case.applicant_name,
        agent_name=case.agent_name, received_on=case.received_on, due_on=case.due_on,
        due_provisional=case.due_provisional, remaining_wd=case.remaining_wd,
        levels_required=case.levels_required, levels_done=case.levels_done,
        intake_by=case.intake_by, assigned_to=case.assigned_to, completed_on=case.completed_on,
        outcome=case.outcome, payload=payload,
        materials=[MaterialOut.model_validate(m) for m in case.materials],
        timeline=[StepOut.model_validate(s) for s in case.steps],
        notifications=[NotificationOut.model_validate(n) for n in service.notifications(db, case)])


def brief(case: Case) -> CaseBrief:
    return CaseBrief(id=case.id, number=case.number, item=case.item_code,
                     item_name=catalog.item(case.item_code).name, status=case.status,
                     applicant_name=case.applicant_name, received_on=case.received_on,
                     due_on=case.due_on, due_provisional=case.due_provisional,
                     levels_required=case.levels_required,
                     levels_done=case.levels_done, assigned_to=case.assigned_to)


@router.get("/items", response_model=list[Item], summary="经办事项目录")
def items(_: Actor = Depends(api_actor)):
    return list(catalog.load().values())


@router.post("/cases", status_code=201, response_model=CaseOut, summary="受理业务件")
def create(data: CaseCreate, response: Response, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    repeated = bool(data.request_id) and service.by_request_id(db, data.request_id) is not None
    case = service.submit(db, actor, data.item, data.payload, provided=data.materials,
                          agent=data.agent.model_dump() if data.agent else None,
                          request_id=data.request_id)
    if repeated:
        response.status_code = 200
    return case_out(db, case, actor)


@router.get("/cases/queue", response_model=list[CaseBrief], summary="待我审核的业务件")
def my_queue(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [brief(c) for c in service.queue(db, actor)]


@router.get("/cases/deadlines", summary="即将到期与已超期的业务件")
def deadlines(within: int = Query(default=3, ge=1, le=30), actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)) -> dict[str, list[CaseBrief]]:
    lists = service.due_list(db, actor, within)
    return {name: [brief(c) for c in cases] for name, cases in lists.items()}


@router.get("/cases/dashboard", summary="办理时限（SLA）统计：按事项、按经办人员")
def sla(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.dashboard(db, actor)


@router.get("/cases/mine", response_model=list[CaseBrief], summary="申请人查看本人业务件")
def mine(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [brief(c) for c in service.applicant_cases(db, actor)]


@router.get("/cases/{case_id}", response_model=CaseOut, summary="业务件详情（材料、时限、流程）")
def read(case_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return case_out(db, service.get_case(db, actor, case_id), actor)


@router.post("/cases/{case_id}/decisions", response_model=CaseOut, summary="审核决定")
def decide(case_id: RowId, data: Decision, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    case = service.decide(db, actor, case_id, data.level, data.decision, data.reason)
    return case_out(db, case, actor)


@router.post("/cases/{case_id}/claim", response_model=CaseOut, summary="领取或分派审核任务")
def claim(case_id: RowId, data: Claim, actor: Actor = Depends(api_actor),
          db: Session = Depends(get_db)):
    return case_out(db, service.claim(db, actor, case_id, data.assignee), actor)


@router.post("/cases/{case_id}/missing", response_model=CaseOut, summary="一次性告知补正材料")
def missing(case_id: RowId, data: MaterialCodes, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    return case_out(db, service.request_materials(db, actor, case_id, data.codes, data.note), actor)


@router.post("/cases/{case_id}/materials", response_model=CaseOut, summary="补齐材料")
def materials(case_id: RowId, data: MaterialCodes, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return case_out(db, service.supply_materials(db, actor, case_id, data.codes), actor)


@router.post("/cases/{case_id}/resubmit", response_model=CaseOut, summary="退回后重新提交")
def resubmit(case_id: RowId, data: Resubmission, actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    return case_out(db, service.resubmit(db, actor, case_id, data.reason, data.payload), actor)


@router.post("/cases/{case_id}/close", response_model=CaseOut, summary="终止办理")
def close(case_id: RowId, data: Reason, actor: Actor = Depends(api_actor),
          db: Session = Depends(get_db)):
    return case_out(db, service.close(db, actor, case_id, data.reason), actor)
