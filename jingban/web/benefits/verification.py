"""Eligibility verification pages: matching runs, hits, entrusted tasks — the same services as
the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from jingban.benefits.verification import service as verification
from jingban.benefits.verification.schemas import InvestigationFindings, TaskIn, TaskResultIn
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.http import RowId, get_db
from jingban.core.workdays import due_label
from jingban.web.benefits.stops import STOP_REASONS
from jingban.web.pages import page_actor, parse, posted, render, see_other

router = APIRouter()
Form = dict[str, Any]


# --- verification ------------------------------------------------------------------------------

def _verification(request: Request, db: Session, actor: Actor, status: int = 200, **context):
    return render(request, "benefit_verification.html", status=status,
                  runs=verification.runs(db, actor, 5), hits=verification.hits(db, actor),
                  unconfirmed=verification.unconfirmed(db, actor, 100),
                  tasks=verification.tasks(db, actor), reasons=STOP_REASONS,
                  results=verification.TASK_RESULTS, **context)


@router.get("/benefits/verification")
def verification_page(request: Request, actor: Actor = Depends(page_actor),
                      db: Session = Depends(get_db)):
    return _verification(request, db, actor)


def _act(request: Request, db: Session, actor: Actor, values: Form, do, done: str = ""):
    try:
        message = do()
    except JingbanError as exc:
        db.rollback()
        return _verification(request, db, actor, status=exc.status, error=exc, values=values)
    return see_other("/benefits/verification", message or done, request)


@router.post("/benefits/verification/run")
def run(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
        db: Session = Depends(get_db)):
    def do():
        found = verification.run_matching(db, actor)
        if found.repeat:
            return f"今日已比对（新发现疑点 {found.hits} 条），未重复比对"
        return (f"比对完成：在发 {found.recipients} 人，新发现疑点 {found.hits} 条，"
                f"待核实 {found.unconfirmed} 人")

    return _act(request, db, actor, values, do)


@router.post("/benefits/verification/hits/{hit_id}/investigate")
def investigate(request: Request, hit_id: int = Path(ge=1, le=2**62), values: Form = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        case = verification.open_investigation(db, actor, hit_id,
                                               parse(InvestigationFindings, values))
        return f"已转调查核实，业务件号{case.number}，待三级审核"

    return _act(request, db, actor, values, do)


@router.post("/benefits/verification/entrust")
def entrust(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
            db: Session = Depends(get_db)):
    ssn = str(values.get("ssn") or "")

    def do():
        task = verification.entrust(db, actor, ssn, parse(TaskIn, values))
        return f"已委托{task.agent_name}核实，应于{due_label(task.due_on, task.due_provisional)}前反馈"

    return _act(request, db, actor, values, do)


@router.post("/benefits/verification/tasks/{task_id}/result")
def task_result(request: Request, task_id: RowId, values: Form = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        verification.record_result(db, actor, task_id, parse(TaskResultIn, values))
        return "已登记核实结果"

    return _act(request, db, actor, values, do)
