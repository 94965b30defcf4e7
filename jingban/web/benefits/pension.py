"""Pension pages: the pre-retirement review list (D§18), the clerk's pension claim screen with
the determination shown, the person's pension (staff and portal) — the same services as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.benefits.common import rules
from jingban.benefits.pension import service
from jingban.benefits.recovery import service as recovery
from jingban.benefits.stops import rules as stops_rules
from jingban.benefits.stops import service as stops
from jingban.cases import catalog
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError, PermissionDenied
from jingban.core.http import get_db
from jingban.registration.models import Person
from jingban.web import intake
from jingban.web.display import RETIREMENT_CATEGORIES
from jingban.web.pages import page_actor, posted, render, see_other, signed_in
from jingban.web.person_links import (
    PersonSsn,  # sec15
    QuerySsn,  # secfix
)

router = APIRouter()
Form = dict[str, Any]


def _page(request: Request, db: Session, actor: Actor, month: str | None, status: int = 200,
          **context: Any):
    return render(request, "benefits_prereview.html", status=status,
                  listing=service.prereview(db, actor, month), categories=RETIREMENT_CATEGORIES,
                  **context)


@router.get("/benefits/prereview")
def prereview(request: Request, month: str | None = None, actor: Actor = Depends(page_actor),
              db: Session = Depends(get_db)):
    try:
        return _page(request, db, actor, month or None)
    except JingbanError as exc:
        return _page(request, db, actor, None, status=exc.status, error=exc)


@router.post("/benefits/prereview/notices")
def notices(request: Request, values: dict[str, Any] = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    month = str(values.get("month") or "") or None
    try:
        sent = service.send_prereview_notices(db, actor, month)
    except JingbanError as exc:
        return _page(request, db, actor, month, status=exc.status, error=exc)
    return see_other(f"/benefits/prereview?month={month or ''}",
                     f"已发送预审通知 {sent} 人（已通知过的不再重复）", request)


# --- the clerk's claim screen (基本养老金申领受理), with the determination shown ------------------

CLAIM_ITEM = "BEN-PENSION"
CLAIM_TITLES = {"bank_account": "社会保障卡金融账户账号", "retirement_age_months": "弹性退休年龄（月）"}


def _age(values: Form) -> int | None:
    raw = str(values.get("retirement_age_months") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput("validation.int_parsing", "弹性退休年龄（月）：请填写整数",
                           "retirement_age_months")
    return int(raw)


def _claim_page(request: Request, db: Session, actor: Actor, values: Form, status: int = 200,
                **context: Any):
    """The applicant's determination as it would be made today, and the intake form."""
    preview, problem = None, None
    ssn = str(values.get("ssn") or "").strip().upper()
    if ssn:
        try:
            preview = service.preview_pension(db, actor, ssn, _age(values))
        except JingbanError as exc:
            problem = exc
    return render(request, "benefits_pension_claim.html", status=status, preview=preview,
                  problem=problem, item=catalog.item(CLAIM_ITEM), values=values, **context)


@router.get("/benefits/pension/claim")
def claim_screen(request: Request, ssn: QuerySsn, actor: Actor = Depends(page_actor),  # secfix
                 db: Session = Depends(get_db)):
    values = {k: v for k, v in request.query_params.items()
              if k in ("retirement_age_months", "bank_account")}  # secfix
    return _claim_page(request, db, actor, {**values, "ssn": ssn,  # secfix
                                            "request_id": intake.new_request_id()})  # secfix


@router.post("/benefits/pension/claim")
def claim_submit(request: Request, values: Form = Depends(posted),
                 actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    item = catalog.item(CLAIM_ITEM)
    try:
        case, repeated = intake.submit(db, actor, item, values)
    except JingbanError as exc:
        db.rollback()
        return _claim_page(request, db, actor, values, status=exc.status,
                           error=intake.on_form(exc, CLAIM_TITLES), form="claim")
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)


# --- a person's pension: staff view and the person's own (我的养老金) ---------------------------

EVENT_REASONS = {**{k: name for k, (_, name) in rules.STOP_REASONS.items()}, **stops_rules.RESUME_REASONS}


def _record(request: Request, db: Session, actor: Actor, ssn: str, own: bool):
    return render(request, "pension_record.html", record=service.pension_record(db, actor, ssn),
                  own=own, event_reasons=EVENT_REASONS, event_sources=stops.SOURCES,
                  payment_kinds=service.PAYMENT_KINDS, entry_kinds=recovery.ENTRY_KINDS)


@router.get("/persons/{pid}/pension")
def person_pension(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    return _record(request, db, actor, ssn, own=False)


@router.get("/my/pension")
def my_pension(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    kind, _, ident = (actor.subject or "").partition(":")
    person = db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None
    if person is None:
        raise PermissionDenied("portal.subject", "该页面仅供参保人本人网上查询使用")
    return _record(request, db, actor, person.ssn, own=True)
