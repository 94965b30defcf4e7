"""Outbox endpoints under /api/v1 for the SMS/mail adapter (thin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db
from jingban.notices import service

router = APIRouter(tags=["业务件 cases"])


class OutboxOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    channel: str
    address: str
    body: str
    attempts: int


class Delivery(BaseModel):
    delivered: bool


@router.get("/outbox", response_model=list[OutboxOut], summary="待发送的短信/邮件（供发送适配器取用）")
def outbox(limit: int = Query(default=100, ge=1, le=1000), actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    return service.pending_outbox(db, actor, limit)


@router.post("/outbox/{outbox_id}", response_model=OutboxOut, summary="回报发送结果")
def outbox_result(outbox_id: RowId, data: Delivery, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return service.mark_sent(db, actor, outbox_id, data.delivered)
