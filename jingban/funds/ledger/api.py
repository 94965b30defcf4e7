"""Ledger endpoints under /api/v1/funds (thin): vouchers, the signature queues, the trial
balance, month end, and the cases that prepare a manual entry or a reversal."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from jingban.cases.api import case_out
from jingban.cases.schemas import CaseOut
from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.money import parse_yuan
from jingban.funds.ledger import service
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.ledger.schemas import (
    AwaitingOut,
    CaseRef,
    ClosedOut,
    CloseIn,
    EntryOut,
    EntrySummary,
    InterestIn,
    ManualEntryIn,
    ReversalIn,
    SweepOut,
    TrialBalanceOut,
)

router = APIRouter(tags=["社会保险基金会计 funds"])
Fund = Query(default=None, max_length=24)
Period = Query(default=None, ge=190001, le=299912)
Kind = Literal["auto", "sweep", "interest", "manual", "reversal"]
State = Literal["awaiting_approve", "awaiting_confirm", "done"]


def summaries(db: Session, found: list[JournalEntry]) -> list[EntrySummary]:
    state = service.states(db, found)
    return [EntrySummary.model_validate(x).model_copy(update={"state": state[x.id]}) for x in found]


def entry_out(db: Session, actor: Actor, entry_id: int) -> EntryOut:
    shown = service.entry_view(db, actor, entry_id)
    base = EntrySummary.model_validate(shown.pop("entry")).model_dump()
    return EntryOut(**{**base, **shown})


@router.get("/funds/entries", response_model=list[EntrySummary], summary="记账凭证")
def listing(fund: str | None = Fund, period: int | None = Period, kind: Kind | None = None,
            state: State | None = None, limit: int = Query(default=200, ge=1, le=1000),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return summaries(db, service.entries(db, actor, fund=fund, period=period, kind=kind,
                                         state=state, limit=limit))


@router.get("/funds/entries.xlsx", summary="记账凭证（Excel）")
def listing_xlsx(fund: str | None = Fund, period: int | None = Period, kind: Kind | None = None,
                 state: State | None = None, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    content = service.entries_xlsx(db, actor, fund=fund, period=period, kind=kind, state=state)
    return xlsx_response(content, "记账凭证.xlsx")


@router.get("/funds/entries/{entry_id}", response_model=EntryOut,
            summary="记账凭证：分录（含科目名称）、签章、状态、冲销关系、业务件")
def one(entry_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return entry_out(db, actor, entry_id)


@router.post("/funds/entries/{entry_id}/confirm", response_model=EntryOut,
             summary="出纳确认银行收付（不得为制单人或复核人）")
def confirm(entry_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    service.sign(db, actor, entry_id, "confirm")
    return entry_out(db, actor, entry_id)


@router.get("/funds/awaiting", response_model=AwaitingOut,
            summary="待签章队列：confirm 出纳确认；approve 复核审批（含待本人审核的业务件）")
def awaiting(step: Literal["confirm", "approve"] = "confirm", actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    found = summaries(db, service.awaiting(db, actor, step))
    queue = service.review_queue(db, actor) if step == "approve" else []
    return AwaitingOut(step=step, entries=found, cases=[
        CaseRef(id=c.id, number=c.number, item=c.item_code, status=c.status,
                levels_done=c.levels_done, levels_required=c.levels_required, due_on=c.due_on)
        for c in queue])


@router.get("/funds/trial-balance", response_model=TrialBalanceOut, response_model_by_alias=True,
            summary="试算平衡表（截至期末）")
def trial_balance(fund: str = Query(max_length=24), period: int = Query(ge=190001, le=299912),
                  actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.trial_balance(db, actor, fund, period)


@router.get("/funds/trial-balance.xlsx", summary="试算平衡表（Excel）")
def trial_balance_xlsx(fund: str = Query(max_length=24),
                       period: int = Query(ge=190001, le=299912),
                       actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = service.trial_balance_xlsx(db, actor, fund, period)
    return xlsx_response(content, f"试算平衡表_{fund}_{period}.xlsx")


@router.post("/funds/interest", status_code=201, response_model=EntryOut, summary="银行结息入账")
def interest(data: InterestIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    entry = service.book_interest(db, actor, data.fund, data.bank,
                                  parse_yuan(data.amount, "amount"), data.reference.strip())
    return entry_out(db, actor, entry.id)


@router.post("/funds/sweep", response_model=SweepOut,
             summary="月末收入户归集财政专户（可重复执行：已归集的不再归集）")
def sweep(period: int = Query(ge=190001, le=299912), actor: Actor = Depends(api_actor),
          db: Session = Depends(get_db)):
    return SweepOut(period=period, entries=summaries(db, service.sweep(db, actor, period)))


@router.post("/funds/close", response_model=ClosedOut, summary="结账（收入户须已归集为零）")
def close(data: CloseIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.close_period(db, actor, data.fund, data.period)


@router.post("/funds/backfill", response_model=dict[str, int],
             summary="补记本模块上线前各业务已发生的资金（只补记一次）")
def backfill(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.backfill(db, actor)


@router.post("/funds/manual-entries", status_code=201, response_model=CaseOut,
             summary="手工记账：会计受理业务件（三级审核，审核通过后记账）")
def manual_entry(data: ManualEntryIn, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return case_out(db, service.open_manual(db, actor, data))


@router.post("/funds/reversals", status_code=201, response_model=CaseOut,
             summary="冲销：会计受理业务件（三级审核，审核通过后记冲销凭证）")
def reversal(data: ReversalIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return case_out(db, service.open_reversal_case(db, actor, data))
