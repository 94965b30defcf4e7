"""Endpoints of the serious-dishonesty list under /api/v1 (R§45). The public list is a page
(/public/dishonesty) since every API endpoint needs a login."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy.orm import Session

from jingban.cases.api import case_out
from jingban.cases.schemas import CaseOut
from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db
from jingban.oversight.dishonesty import rules, service
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.oversight.dishonesty.schemas import (
    HistoryLine,
    ListingOut,
    ProposalIn,
    ReasonIn,
    StatementIn,
)

router = APIRouter(tags=["严重失信主体名单 dishonesty"])
Status = Literal["proposed", "noticed", "listed", "revoked", "repaired", "removed", "dropped"]


class RepairIn(ReasonIn):
    materials: list[str] = Field(default_factory=list, max_length=10, description="已提交的材料代码")


def out(row: DishonestyListing) -> ListingOut:
    return ListingOut.model_validate(row).model_copy(update={"status_name": rules.STATUSES[row.status]})


@router.get("/oversight/dishonesty", response_model=list[ListingOut], summary="严重失信主体名单条目")
def listings(status: Status | None = None, limit: int = Query(default=200, ge=1, le=500),
             actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [out(r) for r in service.listings(db, actor, status, limit)]


@router.get("/oversight/dishonesty/{listing_id}", response_model=ListingOut, summary="名单条目")
def one(listing_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return out(service.get(db, actor, listing_id))


@router.get("/oversight/dishonesty/{listing_id}/history", response_model=list[HistoryLine],
            summary="主体信用档案（失信记录与名单各环节）")
def history(listing_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.history(db, actor, service.get(db, actor, listing_id))


@router.post("/oversight/dishonesty", status_code=201, response_model=ListingOut,
             summary="拟列入严重失信主体名单（R§45）")
def propose(data: ProposalIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return out(service.propose(db, actor, data))


@router.post("/oversight/dishonesty/{listing_id}/notice", response_model=ListingOut,
             summary="事先告知（陈述申辩权利）")
def notice(listing_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return out(service.serve_notice(db, actor, listing_id))


@router.post("/oversight/dishonesty/{listing_id}/statement", response_model=ListingOut,
             summary="记录陈述申辩")
def statement(listing_id: RowId, data: StatementIn, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return out(service.record_statement(db, actor, listing_id, data))


@router.post("/oversight/dishonesty/{listing_id}/drop", response_model=ListingOut, summary="不予列入")
def drop(listing_id: RowId, data: ReasonIn, actor: Actor = Depends(api_actor),
         db: Session = Depends(get_db)):
    return out(service.drop(db, actor, listing_id, data.reason))


@router.post("/oversight/dishonesty/{listing_id}/decision", status_code=201, response_model=CaseOut,
             summary="提交列入审批业务件")
def decision(listing_id: RowId, data: ReasonIn, actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    return case_out(db, service.submit_decision(db, actor, listing_id, data.reason))


@router.post("/oversight/dishonesty/{listing_id}/objection", status_code=201,
             response_model=CaseOut, summary="对列入提出异议")
def objection(listing_id: RowId, data: ReasonIn, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return case_out(db, service.file_objection(db, actor, listing_id, data.reason))


@router.post("/oversight/dishonesty/{listing_id}/repair", status_code=201, response_model=CaseOut,
             summary="申请信用修复")
def repair(listing_id: RowId, data: RepairIn, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    return case_out(db, service.apply_repair(db, actor, listing_id, data.reason, data.materials))


@router.post("/oversight/dishonesty/{listing_id}/removal", response_model=ListingOut,
             summary="名单期满移出")
def removal(listing_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return out(service.remove(db, actor, listing_id))
