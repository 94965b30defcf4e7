"""Reconsideration and litigation pages (行政复议、行政诉讼, R§52): the list with its Excel export,
recording a challenge against a decided case with its filing limit, and its outcome, which
confirms or reopens the case — the same service as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.cases import rules as case_rules
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.oversight.challenges import rules, service
from jingban.oversight.challenges.schemas import ChallengeIn, ChallengeOutcomeIn
from jingban.web.pages import page_actor, parse, posted, render, see_other

router = APIRouter()
LIST = "/oversight/challenges"
NAMES = {"kinds": rules.KINDS, "outcomes": rules.OUTCOMES, "statuses": rules.STATUSES,
         "effects": rules.EFFECTS, "limit_basis": rules.LIMIT_BASIS,
         "case_statuses": case_rules.STATUS_NAMES}
TITLES = {"case_number": "业务件号", "kind": "类别", "body": "复议机关或人民法院", "reference": "案号",
          "claimant": "申请人或原告", "claims": "请求", "filed_on": "申请（起诉）日期",
          "known_on": "知道决定之日", "late_reason": "逾期理由", "outcome": "结果",
          "decided_on": "结案日期", "decision_reference": "决定书文号", "note": "决定要点"}


def _status(request: Request) -> str | None:
    shown = request.query_params.get("status") or None
    return shown if shown in rules.STATUSES else None


def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    shown = _status(request)
    rows = [service.present(db, r) for r in service.listing(db, actor, status=shown)]
    return render(request, "oversight_challenges/list.html", status=status, rows=rows,
                  shown_status=shown or "", limits=service.limits(db), **NAMES, **context)


@router.get(LIST)
def listing(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor)


@router.get(LIST + ".xlsx")
def listing_xlsx(request: Request, actor: Actor = Depends(page_actor),
                 db: Session = Depends(get_db)):
    return xlsx_response(*service.export_xlsx(db, actor, _status(request)))


@router.post(LIST)
def record(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    try:
        row = service.record(db, actor, parse(ChallengeIn, values, TITLES))
    except JingbanError as exc:
        db.rollback()
        return _list(request, db, actor, status=exc.status, error=exc, values=values, form="record")
    return see_other(f"{LIST}/{row.id}", f"已登记{rules.KINDS[row.kind]}（{row.reference}）", request)


def _detail(request: Request, db: Session, actor: Actor, challenge_id: int, status: int = 200,
            **context: Any):
    row = service.present(db, service.get(db, actor, challenge_id))
    return render(request, "oversight_challenges/detail.html", status=status, c=row, **NAMES,
                  **context)


@router.get(LIST + "/{challenge_id}")
def detail(request: Request, challenge_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, challenge_id)


@router.post(LIST + "/{challenge_id}/outcome")
def outcome(request: Request, challenge_id: RowId, values: dict = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        row = service.decide(db, actor, challenge_id, parse(ChallengeOutcomeIn, values, TITLES))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, challenge_id, status=exc.status, error=exc,
                       values=values, form="outcome")
    effect = {"confirm": "原业务件已确认", "reopen": "原业务件已重新办理"}.get(
        rules.EFFECTS[row.outcome] or "", "原业务件不变")
    return see_other(f"{LIST}/{row.id}", f"已登记{rules.OUTCOMES[row.outcome]}，{effect}", request)
