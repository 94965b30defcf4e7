"""Reconsideration and litigation endpoints under /api/v1/oversight/challenges (R§52)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db
from jingban.oversight.challenges import service
from jingban.oversight.challenges.schemas import ChallengeIn, ChallengeOut, ChallengeOutcomeIn

router = APIRouter(tags=["行政复议与诉讼 challenges"])


@router.get("/oversight/challenges", response_model=list[ChallengeOut],
            summary="行政复议、行政诉讼记录")
def list_challenges(case_number: str | None = Query(default=None, max_length=24),
                    status: Literal["pending", "decided"] | None = None,
                    actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [service.present(db, r) for r in service.listing(db, actor, case_number, status)]


@router.post("/oversight/challenges", status_code=201, response_model=ChallengeOut,
             summary="登记行政复议或行政诉讼（R§52）")
def record_challenge(data: ChallengeIn, actor: Actor = Depends(api_actor),
                     db: Session = Depends(get_db)):
    return service.present(db, service.record(db, actor, data))


@router.get("/oversight/challenges/{challenge_id}", response_model=ChallengeOut,
            summary="一条行政复议或行政诉讼记录")
def get_challenge(challenge_id: RowId, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return service.present(db, service.get(db, actor, challenge_id))


@router.post("/oversight/challenges/{challenge_id}/outcome", response_model=ChallengeOut,
             summary="登记复议决定或裁判结果：维持则确认原业务件，撤销或变更则重新办理")
def decide_challenge(challenge_id: RowId, data: ChallengeOutcomeIn,
                     actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.present(db, service.decide(db, actor, challenge_id, data))
