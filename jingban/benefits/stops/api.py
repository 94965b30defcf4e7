"""Stop report endpoints under /api/v1/benefits (thin). Reports of a stopping event and
resumptions are case items (BEN-STOP-REPORT, BEN-RESUME) and go through ``POST /api/v1/cases``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from jingban.benefits.stops import service as stops
from jingban.benefits.stops.schemas import StopReportOut
from jingban.core.actor import Actor
from jingban.core.http import api_actor, get_db

router = APIRouter(tags=["待遇停发、资格核验与追回 benefits"])
Ssn = Path(min_length=1, max_length=18, description="社会保障号码")


# --- stops ------------------------------------------------------------------------------------

@router.get("/benefits/stops", response_model=list[StopReportOut], summary="停发事由报告（含是否逾期报告）")
def stop_reports(ssn: str | None = Query(default=None, max_length=18),
                 limit: int = Query(default=100, ge=1, le=500),
                 actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return stops.reports(db, actor, ssn, limit)
