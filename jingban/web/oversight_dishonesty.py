"""Pages of the serious-dishonesty list: the inspector's list and one entry with its credit
history and acts, and the public list (no login, R§45; seed 002) — the same service as the API."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.auth import can
from jingban.core.errors import JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.oversight.dishonesty import rules, service
from jingban.oversight.dishonesty.schemas import ProposalIn, ReasonIn, StatementIn
from jingban.web.pages import page_actor, parse, posted, render, see_other

router = APIRouter()
NAMES = {"statuses": rules.STATUSES, "kinds": rules.SUBJECT_KINDS}
Act = Literal["notice", "statement", "decision", "drop", "objection", "repair", "removal"]
DONE = {"notice": "已送达事先告知", "statement": "已记录陈述申辩", "decision": "已提交列入审批业务件",
        "drop": "已决定不予列入", "objection": "已受理异议", "repair": "已受理信用修复申请",
        "removal": "已移出名单"}


@router.get("/public/dishonesty")
def public(request: Request, db: Session = Depends(get_db)):
    return render(request, "oversight_dishonesty/public.html", rows=service.published(db),
                  mask=rules.mask_key, **NAMES)


def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context):
    return render(request, "oversight_dishonesty/list.html", status=status,
                  rows=service.listings(db, actor), **NAMES, **context)


@router.get("/oversight/dishonesty")
def listing(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor)


@router.get("/oversight/dishonesty.xlsx")
def listing_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(*service.export_xlsx(db, actor))


@router.post("/oversight/dishonesty")
def propose(request: Request, values: dict[str, Any] = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        made = service.propose(db, actor, parse(ProposalIn, values))
    except JingbanError as exc:
        return _list(request, db, actor, status=exc.status, error=exc, form="propose", values=values)
    return see_other(f"/oversight/dishonesty/{made.id}", "已拟列入，请送达事先告知", request)


def _entry(request: Request, db: Session, actor: Actor, listing_id: int, status: int = 200,
           **context):
    entry = service.get(db, actor, listing_id)
    history = service.history(db, actor, entry) if can(actor, "oversight.read") else None
    return render(request, "oversight_dishonesty/entry.html", status=status, entry=entry,
                  history=history, **NAMES, **context)


@router.get("/oversight/dishonesty/{listing_id}")
def entry(request: Request, listing_id: RowId, actor: Actor = Depends(page_actor),
          db: Session = Depends(get_db)):
    return _entry(request, db, actor, listing_id)


def _run(db: Session, actor: Actor, listing_id: int, act: str, values: dict[str, Any]):
    if act == "notice":
        return service.serve_notice(db, actor, listing_id)
    if act == "removal":
        return service.remove(db, actor, listing_id)
    if act == "statement":
        return service.record_statement(db, actor, listing_id, parse(StatementIn, values))
    reason = parse(ReasonIn, {"reason": values.get("reason", "")}).reason
    if act == "drop":
        return service.drop(db, actor, listing_id, reason)
    if act == "decision":
        return service.submit_decision(db, actor, listing_id, reason)
    if act == "objection":
        return service.file_objection(db, actor, listing_id, reason)
    provided = ["correction_proof"] if values.get("correction_proof") else []
    return service.apply_repair(db, actor, listing_id, reason, provided)


@router.post("/oversight/dishonesty/{listing_id}/{act}")
def act(request: Request, listing_id: RowId, act: Act, values: dict[str, Any] = Depends(posted),
        actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        _run(db, actor, listing_id, act, values)
    except JingbanError as exc:
        return _entry(request, db, actor, listing_id, status=exc.status, error=exc, form=act,
                      values=values)
    return see_other(f"/oversight/dishonesty/{listing_id}", DONE[act], request)
