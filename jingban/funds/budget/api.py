"""Fund budget endpoints under /api/v1/funds/budgets (thin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.funds.budget import service
from jingban.funds.budget.schemas import (
    BudgetOut,
    BudgetSummary,
    DraftIn,
    ExecutionOut,
    ItemOut,
    ItemsIn,
    ReturnIn,
)
from jingban.funds.budget.service import Change

router = APIRouter(tags=["社会保险基金预算 funds"])


def budget_out(db: Session, actor: Actor, budget_id: int) -> BudgetOut:
    shown = service.view(db, actor, budget_id)
    budget = shown["budget"]
    return BudgetOut(
        **BudgetSummary.model_validate(budget).model_dump(), basis_from=budget.basis_from,
        basis_to=budget.basis_to, basis_months=budget.basis_months,
        items=[ItemOut(**r) for r in shown["rows"]], income=shown["income"],
        expense=shown["expense"], balance=shown["balance"],
        opening_balance=shown["opening_balance"], closing_balance=shown["closing_balance"],
        history=[BudgetSummary.model_validate(b) for b in shown["history"]])


@router.post("/funds/budgets", status_code=201, response_model=BudgetOut,
             summary="编制下一年度基金预算草案（按本年实际测算预填）")
def create(data: DraftIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    budget = service.create_draft(db, actor, data.fund, data.year)
    return budget_out(db, actor, budget.id)


@router.get("/funds/budgets", response_model=list[BudgetSummary], summary="基金预算（各版本）")
def listing(fund: str | None = Query(default=None, max_length=24),
            year: int | None = Query(default=None, ge=1900, le=2999),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.budgets(db, actor, fund=fund, year=year)


@router.get("/funds/budgets/{budget_id}.xlsx", summary="基金预算草案表（Excel）")
def draft_xlsx(budget_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(*service.draft_xlsx(db, actor, budget_id))


@router.get("/funds/budgets/{budget_id}", response_model=BudgetOut, summary="基金预算及其项目、结余、版本")
def one(budget_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return budget_out(db, actor, budget_id)


@router.put("/funds/budgets/{budget_id}/items", response_model=BudgetOut,
            summary="修改预算项目（仅编制中或已退回；全部通过才保存）")
def edit(data: ItemsIn, budget_id: RowId, actor: Actor = Depends(api_actor),
         db: Session = Depends(get_db)):
    service.edit_items(db, actor, budget_id, [Change(x.item, x.amount, x.note) for x in data.items])
    return budget_out(db, actor, budget_id)


@router.post("/funds/budgets/{budget_id}/submit", response_model=BudgetOut, summary="提交审核")
def submit(budget_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    service.submit(db, actor, budget_id)
    return budget_out(db, actor, budget_id)


@router.post("/funds/budgets/{budget_id}/approve", response_model=BudgetOut,
             summary="审核通过（编制人、提交人以外的复核人员）")
def approve(budget_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    service.approve(db, actor, budget_id)
    return budget_out(db, actor, budget_id)


@router.post("/funds/budgets/{budget_id}/return", response_model=BudgetOut, summary="退回修改（写明理由）")
def return_(data: ReturnIn, budget_id: RowId, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    service.return_(db, actor, budget_id, data.reason)
    return budget_out(db, actor, budget_id)


@router.post("/funds/budgets/{budget_id}/revise", status_code=201, response_model=BudgetOut,
             summary="预算调整：以已批准的预算为基础新建一个版本")
def revise(budget_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    revision = service.revise(db, actor, budget_id)
    return budget_out(db, actor, revision.id)


@router.get("/funds/budgets/{budget_id}/execution", response_model=ExecutionOut,
            summary="预算执行：各项目按月实际、累计、执行率、剩余和预警")
def execution(budget_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    shown = service.execution(db, actor, budget_id)
    return ExecutionOut(budget=BudgetSummary.model_validate(shown["budget"]),
                        periods=shown["periods"], time_share=shown["time_share"],
                        threshold=shown["threshold"], rows=shown["rows"], totals=shown["totals"])


@router.get("/funds/budgets/{budget_id}/execution.xlsx", summary="预算执行表（Excel）")
def execution_xlsx(budget_id: RowId, actor: Actor = Depends(api_actor),
                   db: Session = Depends(get_db)):
    return xlsx_response(*service.execution_xlsx(db, actor, budget_id))
