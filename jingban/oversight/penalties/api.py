"""Penalty endpoints under /api/v1/oversight/penalties (thin)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db
from jingban.oversight.inspections.api import case_ref
from jingban.oversight.inspections.schemas import CaseRef
from jingban.oversight.penalties import service
from jingban.oversight.penalties.schemas import (
    DecisionIn,
    DepositIn,
    FundIn,
    PaymentIn,
    PaymentOut,
    PenaltyOut,
    ProposalIn,
)

router = APIRouter(tags=["处罚 oversight"])


def _one(db: Session, actor: Actor, penalty_id: int) -> PenaltyOut:
    return PenaltyOut.model_validate(service.out(db, service.get_penalty(db, actor, penalty_id)))


@router.get("/oversight/penalties", response_model=list[PenaltyOut], summary="处罚")
def listing(inspection_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
            status: Literal["proposed", "deciding", "decided"] | None = None,
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [PenaltyOut.model_validate(service.out(db, r))
            for r in service.penalties(db, actor, inspection_id=inspection_id, status=status)]


@router.post("/oversight/penalties", status_code=201, response_model=PenaltyOut,
             summary="提出处罚建议（显示法定罚款幅度：R§55 骗取金额2至5倍，R§57 1万至5万元）")
def propose(data: ProposalIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _one(db, actor, service.propose(db, actor, data).id)


@router.get("/oversight/penalties/{penalty_id}", response_model=PenaltyOut, summary="处罚详情")
def detail(penalty_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _one(db, actor, penalty_id)


@router.post("/oversight/penalties/{penalty_id}/decision", status_code=201, response_model=CaseRef,
             summary="提请处罚决定（罚款金额须在法定幅度内，三级审核）")
def decision(penalty_id: RowId, data: DecisionIn, actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    return case_ref(service.submit_decision(db, actor, penalty_id, data))


@router.post("/oversight/penalties/{penalty_id}/fund", response_model=PenaltyOut,
             summary="补记被骗取的险种基金（0035 之前登记、未记录险种基金的骗取处罚）")
def fund(penalty_id: RowId, data: FundIn, actor: Actor = Depends(api_actor),
         db: Session = Depends(get_db)):
    return _one(db, actor, service.set_fund(db, actor, penalty_id, data).id)


@router.post("/oversight/penalties/{penalty_id}/payments", status_code=201,
             response_model=PaymentOut, summary="登记收回款项（十个工作日内缴入，Z-13(1)）")
def payment(penalty_id: RowId, data: PaymentIn, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    return service.payment_out(db, service.record_payment(db, actor, penalty_id, data),
                               clock.today())


@router.post("/oversight/penalties/{penalty_id}/payments/{payment_id}/deposit",
             response_model=PaymentOut, summary="登记缴入基金收入专户或财政罚没收入户")
def deposit(penalty_id: RowId, payment_id: RowId, data: DepositIn,
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.payment_out(db, service.record_deposit(db, actor, penalty_id, payment_id, data),
                               clock.today())
