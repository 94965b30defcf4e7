"""Benefit endpoints under /api/v1: estimates (待遇测算) for logged-in persons and staff."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from jingban.benefits import service
from jingban.benefits.schemas import (
    PensionEstimate,
    PensionQuery,
    RetirementEstimate,
    RetirementQuery,
)
from jingban.core.actor import Actor
from jingban.core.http import api_actor, get_db

router = APIRouter(tags=["待遇 benefits"])


@router.post("/estimates/retirement", response_model=RetirementEstimate,
             summary="退休年龄测算（渐进式延迟退休）")
def retirement(data: RetirementQuery, actor: Actor = Depends(api_actor),
               db: Session = Depends(get_db)):
    return service.estimate_retirement(db, actor, data.birth_date, data.category)


@router.post("/estimates/pension", response_model=PensionEstimate, summary="基本养老金测算")
def pension(data: PensionQuery, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.estimate_pension(db, actor, data)


@router.get("/benefits/prereview", summary="退休预审名单（12个月内达到法定退休年龄）")
def prereview(month: str | None = Query(default=None, description="YYYY-MM，默认12个月后"),
              actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.prereview(db, actor, month)


@router.post("/benefits/prereview/notices", summary="向名单中的参保人及其单位发送预审通知")
def prereview_notices(month: str | None = Query(default=None), actor: Actor = Depends(api_actor),
                      db: Session = Depends(get_db)):
    return {"notified": service.send_prereview_notices(db, actor, month)}
