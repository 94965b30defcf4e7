"""Overpayment recovery pages: the debts list, a person's ledger, agreements, repayments,
account offsets and the sweep — the same services as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.benefits.recovery.schemas import AccountOffsetRequest, AgreementIn, RepaymentIn
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import JingbanError
from jingban.core.http import RowId, get_db
from jingban.registration.models import Person
from jingban.web.pages import page_actor, parse, posted, render, see_other
from jingban.web.person_links import QuerySsn, person_query  # secfix

router = APIRouter()
Form = dict[str, Any]
DEBT_STATUS = {"open": "待退回", "agreement": "分期退回中", "settled": "已结清", "defaulted": "未履约"}


# --- recovery ledger -------------------------------------------------------------------------------

def open_debts(db: Session, actor: Actor, limit: int = 200) -> list:
    """Every debt still owed (待退回、分期中、未履约), oldest due first, with its balance: the
    recovery work list, without typing an SSN."""
    require(actor, "benefits.read")
    balance = (select(func.coalesce(func.sum(DebtEntry.amount), 0))
               .where(DebtEntry.debt_id == Debt.id).scalar_subquery())
    return list(db.execute(
        select(Debt, Person.name, Person.ssn, balance.label("balance"))
        .join(Person, Person.id == Debt.person_id).where(Debt.status.in_(recovery.OPEN))
        .order_by(Debt.due_on, Debt.id).limit(limit)).all())


def _ledger(request: Request, db: Session, actor: Actor, ssn: str, status: int = 200, **context):
    found = recovery.ledger(db, actor, ssn) if ssn else None
    return render(request, "benefit_debts.html", status=status, ssn=ssn, ledger=found,
                  entry_kinds=recovery.ENTRY_KINDS,
                  open_debts=[] if ssn else open_debts(db, actor),
                  debt_status=DEBT_STATUS, **context)


@router.get("/benefits/debts")
def debts(request: Request, ssn: QuerySsn, actor: Actor = Depends(page_actor),  # secfix
          db: Session = Depends(get_db)):
    try:
        return _ledger(request, db, actor, ssn.strip()[:18])
    except JingbanError as exc:
        return _ledger(request, db, actor, "", status=exc.status, error=exc)


def _debt_act(request: Request, db: Session, actor: Actor, debt_id: int, values: Form, form: str,
              do, done: str):
    ssn = str(values.get("ssn") or "")[:18]
    try:
        do()
    except JingbanError as exc:
        db.rollback()
        return _ledger(request, db, actor, ssn, status=exc.status, error=exc,
                       form=f"{form}{debt_id}", values=values)
    return see_other(f"/benefits/debts{person_query(db, ssn)}", done, request)  # secfix


@router.post("/benefits/debts/{debt_id}/agreement")
def agreement(request: Request, debt_id: RowId, values: Form = Depends(posted),
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _debt_act(request, db, actor, debt_id, values, "agreement",
                     lambda: recovery.agree_instalments(db, actor, debt_id, parse(AgreementIn, values)),
                     "还款协议已签订")


@router.post("/benefits/debts/{debt_id}/repayment")
def repayment(request: Request, debt_id: RowId, values: Form = Depends(posted),
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _debt_act(request, db, actor, debt_id, values, "repayment",
                     lambda: recovery.record_repayment(db, actor, debt_id, parse(RepaymentIn, values)),
                     "退回款已登记")


@router.post("/benefits/debts/{debt_id}/account")
def account_offset(request: Request, debt_id: RowId, values: Form = Depends(posted),
                   actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _debt_act(request, db, actor, debt_id, values, "account",
                     lambda: recovery.apply_offset(db, actor, debt_id,
                                                   parse(AccountOffsetRequest, values)),
                     "个人账户余额抵扣已受理，经两级复核通过后办理")


@router.post("/benefits/debts/sweep")
def sweep(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
          db: Session = Depends(get_db)):
    ssn = str(values.get("ssn") or "")[:18]
    try:
        found = recovery.sweep(db, actor)
    except JingbanError as exc:
        return _ledger(request, db, actor, ssn, status=exc.status, error=exc, form="sweep")
    return see_other(f"/benefits/debts{person_query(db, ssn)}",  # secfix
                     f"履约检查完成：结清 {len(found['settled'])} 笔，"  # secfix
                     f"催告 {len(found['reminded'])} 笔，"  # secfix
                     f"认定违约 {len(found['defaulted'])} 笔", request)  # secfix
