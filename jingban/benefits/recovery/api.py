"""Overpayment recovery endpoints under /api/v1/benefits/recovery (thin).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.schemas import (
    AccountOffsetRequest,
    AgreementIn,
    DebtOut,
    EntryOut,
    LedgerOut,
    RepaymentIn,
    SweepOut,
)
from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db

router = APIRouter(tags=["待遇停发、资格核验与追回 benefits"])
Ssn = Path(min_length=1, max_length=18, description="社会保障号码")


# --- recovery ------------------------------------------------------------------------------------

def _debt_out(line: dict) -> DebtOut:
    debt = line["debt"]
    return DebtOut(id=debt.id, award_id=debt.award_id, reason=debt.reason,
                   first_period=debt.first_period, last_period=debt.last_period,
                   principal=debt.principal, balance=line["balance"], status=debt.status,
                   ordered_on=debt.ordered_on, due_on=debt.due_on,
                   due_provisional=debt.due_provisional,
                   signed_by=line["agreement"].signed_by if line["agreement"] else None,
                   entries=[EntryOut.model_validate(e) for e in line["entries"]],
                   instalments=line["instalments"])


@router.get("/benefits/recovery/{ssn}", response_model=LedgerOut, summary="多领待遇追回台账")
def ledger(ssn: str = Ssn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    found = recovery.ledger(db, actor, ssn)
    return LedgerOut(ssn=found["ssn"], name=found["name"], balance=found["balance"],
                     debts=[_debt_out(line) for line in found["debts"]])


@router.post("/benefits/recovery/debts/{debt_id}/agreement", status_code=201,
             summary="签订还款协议（分期退回）")
def agreement(data: AgreementIn, debt_id: RowId, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    debt = recovery.agree_instalments(db, actor, debt_id, data)
    return {"debt_id": debt.id, "status": debt.status}


@router.post("/benefits/recovery/debts/{debt_id}/repayments", status_code=201,
             response_model=EntryOut, summary="登记退回款")
def repayment(data: RepaymentIn, debt_id: RowId, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return recovery.record_repayment(db, actor, debt_id, data)


@router.post("/benefits/recovery/debts/{debt_id}/account-offset", status_code=201,
             summary="申请从个人账户余额中抵扣（高风险：受理为业务件 BEN-ACCOUNT-OFFSET，两级复核后办理）")
def account_offset(data: AccountOffsetRequest, debt_id: RowId, actor: Actor = Depends(api_actor),
                   db: Session = Depends(get_db)):
    case = recovery.apply_offset(db, actor, debt_id, data)
    return {"case_id": case.id, "number": case.number, "status": case.status,
            "levels_required": case.levels_required}


@router.post("/benefits/recovery/sweep", response_model=SweepOut,
             summary="追回款履约检查（结清、逾期催告、违约）")
def sweep(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return recovery.sweep(db, actor)
