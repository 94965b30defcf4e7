"""Monitor endpoints under /api/v1/oversight/monitors: the monitors, runs, hits (filtered, one,
Excel), and the inspector's explanation or inspection mark."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.excel import xlsx_response
from jingban.core.http import api_actor, get_db
from jingban.oversight.monitors import batch, rules, service
from jingban.oversight.monitors.models import MonitorRun
from jingban.oversight.monitors.schemas import (
    ExplainIn,
    HitOut,
    HitPage,
    InspectIn,
    MonitorOut,
    RunIn,
    RunOut,
)

router = APIRouter(tags=["监督 oversight"])
HitId = Path(ge=1, le=2**62, description="疑点编号")
Monitor = Query(default=None, max_length=32, description="监测项目代码")
Status = Query(default=None, max_length=16,
               description="open 待核查 | explained 已说明 | inspection 已转核查")
Subject = Query(default=None, max_length=40, description="社会保障号码或统一社会信用代码")


def _run_out(run: MonitorRun) -> RunOut:
    return RunOut.model_validate(run).model_copy(update={
        "monitor_name": service.monitor_name(run.monitor), "repeat": run.repeat})


@router.get("/oversight/monitors", response_model=list[MonitorOut], summary="异常监测项目")
def monitors(actor: Actor = Depends(api_actor)):
    require(actor, "oversight.read")
    return [MonitorOut(code=code, name=name, basis=basis)
            for code, (name, basis) in rules.MONITORS.items()]


@router.get("/oversight/monitors/runs", response_model=list[RunOut], summary="监测批次")
def runs(limit: int = Query(default=20, ge=1, le=500), actor: Actor = Depends(api_actor),
         db: Session = Depends(get_db)):
    return [_run_out(r) for r in service.runs(db, actor, limit)]


@router.post("/oversight/monitors/runs", response_model=list[RunOut],
             summary="运行异常监测（每个项目每日一次，可续跑）")
def run(data: RunIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [_run_out(r) for r in batch.run_monitors(db, actor, data.on, data.only)]


@router.get("/oversight/monitors/hits", response_model=HitPage, summary="监测疑点")
def hits(monitor: str | None = Monitor, status: str | None = Status,
         subject_ref: str | None = Subject, raised_from: dt.date | None = None,
         raised_to: dt.date | None = None, limit: int = Query(default=100, ge=1, le=500),
         offset: int = Query(default=0, ge=0, le=10**9), actor: Actor = Depends(api_actor),
         db: Session = Depends(get_db)):
    return service.hits(db, actor, monitor=monitor, status=status, subject_ref=subject_ref,
                        raised_from=raised_from, raised_to=raised_to, limit=limit, offset=offset)


@router.get("/oversight/monitors/hits.xlsx", summary="监测疑点（Excel）")
def hits_xlsx(monitor: str | None = Monitor, status: str | None = Status,
              subject_ref: str | None = Subject, raised_from: dt.date | None = None,
              raised_to: dt.date | None = None, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    content = service.hits_xlsx(db, actor, monitor=monitor, status=status,
                                subject_ref=subject_ref, raised_from=raised_from,
                                raised_to=raised_to)
    return xlsx_response(content, "监测疑点.xlsx")


@router.get("/oversight/monitors/hits/{hit_id}", response_model=HitOut, summary="一条监测疑点")
def hit(hit_id: int = HitId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.hit(db, actor, hit_id)


@router.post("/oversight/monitors/hits/{hit_id}/explain", response_model=HitOut,
             summary="说明并关闭疑点")
def explain(data: ExplainIn, hit_id: int = HitId, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    service.explain(db, actor, hit_id, data)
    return service.hit(db, actor, hit_id)


@router.post("/oversight/monitors/hits/{hit_id}/inspect", response_model=HitOut,
             summary="疑点转入核查（R§42）")
def inspect(data: InspectIn, hit_id: int = HitId, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    service.mark_for_inspection(db, actor, hit_id, data)
    return service.hit(db, actor, hit_id)
