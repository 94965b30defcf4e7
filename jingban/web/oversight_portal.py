"""The listed subject's own page (我的信用): its entry on the serious-dishonesty list, the prior
notice it was served, its right to state its case within the period, to object to a listing,
and the way to credit repair (R§45; seed 002) — the same services as the staff pages."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.core import agency, clock
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError, PermissionDenied
from jingban.core.http import RowId, get_db
from jingban.oversight.dishonesty import rules, service
from jingban.oversight.dishonesty.schemas import ReasonIn, StatementIn
from jingban.web.pages import parse, posted, render, see_other, signed_in

router = APIRouter()
MINE = "/my/credit"
Act = Literal["statement", "objection", "repair"]
DONE = {"statement": "陈述申辩已提交，经办机构将在作出决定前听取",
        "objection": "异议已提交，经办机构将在10个工作日内复核",
        "repair": "信用修复申请已提交，审核通过后移出名单并停止公示"}
TITLES = {"text": "陈述申辩意见", "reason": "理由"}


def _page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    today = clock.today()
    entries = [{"row": row, "rights": service.rights(db, row, today),
                "history": service.own_history(db, actor, row)} for row in service.mine(db, actor)]
    return render(request, "oversight_dishonesty/mine.html", status=status, entries=entries,
                  statuses=rules.STATUSES, today=today,
                  months={name: agency.param(db, f"oversight.dishonesty.{name}", today)
                          for name in ("listing_months", "repair_months")}, **context)


@router.get(MINE)
def mine(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    return _page(request, db, actor)


def _run(db: Session, actor: Actor, listing_id: int, act: str, values: dict[str, Any]):
    if not actor.subject:  # staff take statements, objections and repairs on the staff page
        raise PermissionDenied("portal.subject", "该页面仅供参保人或参保单位网上办理使用")
    if act == "statement":
        return service.record_statement(db, actor, listing_id, parse(StatementIn, values, TITLES))
    service.get(db, actor, listing_id)  # only its own entry
    reason = parse(ReasonIn, {"reason": values.get("reason", "")}, TITLES).reason
    if act == "objection":
        return service.file_objection(db, actor, listing_id, reason)
    provided = ["correction_proof"] if values.get("correction_proof") else []
    return service.apply_repair(db, actor, listing_id, reason, provided)


@router.post(MINE + "/{listing_id}/{act}")
def act(request: Request, listing_id: RowId, act: Act, values: dict[str, Any] = Depends(posted),
        actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    try:
        _run(db, actor, listing_id, act, values)
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, status=exc.status, error=exc, form=f"{act}{listing_id}",
                     values=values)
    return see_other(MINE, DONE[act], request)
