"""Oversight endpoints under /api/v1: credit records."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.http import api_actor, get_db
from jingban.oversight import service
from jingban.oversight.models import CreditRecord
from jingban.oversight.schemas import CreditIn, CreditOut, SubjectKind

router = APIRouter(tags=["监督 oversight"])


def _out(row: CreditRecord) -> CreditOut:
    return CreditOut.model_validate(row).model_copy(update={"act_name": service.act_name(row.act)})


@router.get("/oversight/credits", response_model=list[CreditOut], summary="失信行为记录")
def list_credits(subject_kind: SubjectKind | None = None,
                 subject_key: str | None = Query(default=None, max_length=40),
                 limit: int = Query(default=100, ge=1, le=500),
                 actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [_out(r) for r in service.credits(db, actor, subject_kind, subject_key, limit)]


@router.post("/oversight/credits", status_code=201, response_model=CreditOut,
             summary="记录失信行为（R§45）")
def create_credit(data: CreditIn, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return _out(service.record_credit(db, actor, data))
