"""Fund budget pages (基金预算): the list with the draft form, one budget with its items
(editable while a draft), the review buttons by permission, and its execution — the same
service as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.money import parse_yuan
from jingban.funds.budget import rules, service
from jingban.funds.budget.service import Change
from jingban.funds.ledger.rules import FUNDS
from jingban.web.pages import page_actor, posted, render, see_other

router = APIRouter()
NAMES = {"funds": FUNDS, "statuses": rules.STATUSES, "sides": rules.SIDES}


def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    return render(request, "funds_budget.html", status=status, budgets=service.budgets(db, actor),
                  next_year=clock.today().year + 1, **NAMES, **context)


@router.get("/funds/budgets")
def listing(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor)


@router.post("/funds/budgets")
def create(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    try:
        year = str(values.get("year") or "").strip()
        if not year.isdigit() or len(year) != 4:
            raise InvalidInput("funds.budget_year", "预算年度应为四位年份", "year")
        budget = service.create_draft(db, actor, str(values.get("fund") or ""), int(year))
    except JingbanError as exc:
        db.rollback()
        return _list(request, db, actor, status=exc.status, error=exc, values=values)
    return see_other(f"/funds/budgets/{budget.id}", "预算草案已按本年实际测算生成，请逐项核定", request)


def _detail(request: Request, db: Session, actor: Actor, budget_id: int, status: int = 200,
            **context: Any):
    return render(request, "funds_budget_detail.html", status=status,
                  shown=service.view(db, actor, budget_id),
                  run=service.execution(db, actor, budget_id), **NAMES, **context)


@router.get("/funds/budgets/{budget_id}")
def detail(request: Request, budget_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, budget_id)


def _signed_fen(value: str, field: str) -> int:
    """Yuan as typed; a minus sign is kept so the service refuses it with its own message."""
    text = value.strip()
    return -parse_yuan(text[1:], field) if text.startswith("-") else parse_yuan(text, field)


def _changes(db: Session, actor: Actor, budget_id: int, values: dict) -> list[Change]:
    changes = []
    for row in service.view(db, actor, budget_id)["rows"]:
        code = row["item"]
        amount = _signed_fen(str(values.get(f"amount_{code}", "")), f"items.{code}.amount")
        note = str(values.get(f"note_{code}", row["note"]))
        if amount != row["amount"] or note.strip() != row["note"]:
            changes.append(Change(code, amount, note))
    return changes


@router.post("/funds/budgets/{budget_id}/items")
def edit(request: Request, budget_id: RowId, values: dict = Depends(posted),
         actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        service.edit_items(db, actor, budget_id, _changes(db, actor, budget_id, values))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, budget_id, status=exc.status, error=exc,
                       form="items", values=values)
    return see_other(f"/funds/budgets/{budget_id}", "预算项目已保存", request)


ACTS = {"submit": ("预算已提交审核", lambda db, a, i, v: service.submit(db, a, i)),
        "approve": ("预算已审核通过，已锁定", lambda db, a, i, v: service.approve(db, a, i)),
        "return": ("预算已退回编制人",
                   lambda db, a, i, v: service.return_(db, a, i, str(v.get("reason") or ""))),
        "revise": ("已新建预算调整版本", lambda db, a, i, v: service.revise(db, a, i))}


@router.post("/funds/budgets/{budget_id}/{act}")
def act(request: Request, budget_id: RowId, act: str, values: dict = Depends(posted),
        actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    if act not in ACTS:
        raise InvalidInput("funds.budget_act", "不支持的操作", "act")
    notice, run = ACTS[act]
    try:
        budget = run(db, actor, budget_id, values)
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, budget_id, status=exc.status, error=exc, form="review",
                       values=values)
    return see_other(f"/funds/budgets/{budget.id}", notice, request)


@router.get("/funds/budgets/{budget_id}/draft.xlsx")
def draft_xlsx(budget_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(*service.draft_xlsx(db, actor, budget_id))


@router.get("/funds/budgets/{budget_id}/execution.xlsx")
def execution_xlsx(budget_id: RowId, actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    return xlsx_response(*service.execution_xlsx(db, actor, budget_id))
