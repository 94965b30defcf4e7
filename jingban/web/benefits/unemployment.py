"""Unemployment benefit pages (失业保险金): the clerk's claim screen with the determination
shown before intake, the list of benefits (with its Excel export), a person's benefit with its
breakdown, months used and left, payments and stops, and the person's own page with an
estimate before applying (我的失业保险金)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.benefits.common import rules as common_rules
from jingban.benefits.stops import service as stops
from jingban.benefits.unemployment import batch
from jingban.benefits.unemployment import service as unemployment
from jingban.benefits.unemployment.export import decision_pdf
from jingban.cases import catalog
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError, PermissionDenied
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.money import to_yuan
from jingban.core.pdf import pdf_response
from jingban.registration.models import Person
from jingban.web import intake
from jingban.web.pages import page_actor, posted, render, see_other, signed_in
from jingban.web.person_links import (
    PersonSsn,  # sec15
    QuerySsn,  # secfix
)

router = APIRouter()
Form = dict[str, Any]
TITLES = {"registration_date": "失业登记日期", "bank_account": "社会保障卡金融账户"}
PAYMENT_KINDS = {"regular": "按月发放", "back_pay": "补发", "adjustment": "重新核定补差"}
EVENT_NAMES = {"stop": "停发", "suspend": "暂停", "resume": "恢复", "refusal": "拒不接受推荐"}
REASONS = {k: name for k, (_, name) in common_rules.STOP_REASONS.items()}


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput("unemployment.registration_date", "失业登记日期格式应为 YYYY-MM-DD",
                           "registration_date") from None


def _page(request: Request, db: Session, actor: Actor, values: Form, status: int = 200,
          **context: Any):
    found, problem = None, None
    ssn = str(values.get("ssn") or "").strip().upper()[:18]
    if ssn:
        try:
            found = unemployment.preview(db, actor, ssn, _day(str(values.get("registration_date") or "")))
        except JingbanError as exc:
            problem = exc
    return render(request, "benefits_unemployment.html", status=status, found=found,
                  problem=problem, item=catalog.item(unemployment.ITEM), values=values,
                  awards=unemployment.awards(db, actor), refunds=batch.refunds(db, actor),
                  sizes=batch.SIZES, **context)


@router.get("/benefits/unemployment")
def claim_screen(request: Request, ssn: QuerySsn, registration_date: str = "",  # secfix
                 actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _page(request, db, actor, {"ssn": ssn, "registration_date": registration_date,
                                      "request_id": intake.new_request_id()})


@router.post("/benefits/unemployment")
def claim_submit(request: Request, values: Form = Depends(posted),
                 actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    item = catalog.item(unemployment.ITEM)
    try:
        case, repeated = intake.submit(db, actor, item, values)
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, values, status=exc.status,
                     error=intake.on_form(exc, TITLES), form="claim")
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)


@router.post("/benefits/unemployment/stabilisation")
def stabilisation_run(request: Request, values: Form = Depends(posted),
                      actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    """稳岗返还 for a contribution year (the accountant)."""
    try:
        year = int(str(values.get("year") or ""))
    except ValueError:
        year = 0
    try:
        made = batch.stabilisation_refunds(db, actor, year)
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, {}, status=exc.status, refund_error=exc.message)
    total = sum(r.amount for r in made)
    return see_other("/benefits/unemployment#stabilisation",
                     f"已核定{year}年度稳岗返还{len(made)}户，合计{to_yuan(total)}元", request)


@router.get("/benefits/unemployment/stabilisation.xlsx")
def stabilisation_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(batch.refunds_xlsx(db, actor), "稳岗返还.xlsx")


@router.get("/benefits/unemployment/awards.xlsx")
def awards_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(unemployment.awards_xlsx(db, actor), "失业保险金.xlsx")


# --- a person's benefit: staff view and the person's own -----------------------------------------

def _record(request: Request, db: Session, actor: Actor, ssn: str, own: bool):
    """The benefit; for the person himself with none in force, the estimate before applying."""
    record = unemployment.record_of(db, actor, ssn)
    receiving = any(r["award"].status in unemployment.IN_FORCE for r in record["awards"])
    estimate = unemployment.preview(db, actor, ssn) if own and not receiving else None
    return render(request, "unemployment_record.html", record=record,
                  own=own, estimate=estimate, payment_kinds=PAYMENT_KINDS, event_names=EVENT_NAMES,
                  reasons=REASONS, sources=stops.SOURCES, statuses=unemployment.STATUS_NAMES)


@router.get("/benefits/unemployment/awards/{award_id}/pdf")
def award_pdf(award_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    content, filename = decision_pdf(db, actor, award_id)
    return pdf_response(content, filename)


@router.get("/persons/{pid}/unemployment")
def person_unemployment(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                        db: Session = Depends(get_db)):
    return _record(request, db, actor, ssn, own=False)


@router.get("/my/unemployment")
def my_unemployment(request: Request, actor: Actor = Depends(signed_in),
                    db: Session = Depends(get_db)):
    kind, _, ident = (actor.subject or "").partition(":")
    person = db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None
    if person is None:
        raise PermissionDenied("portal.subject", "该页面仅供参保人本人网上查询使用")
    return _record(request, db, actor, person.ssn, own=True)
