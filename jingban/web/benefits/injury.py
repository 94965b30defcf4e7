"""Work-injury pages (工伤保险待遇): the clerk's screen with the items to take in, the
recognitions and benefits lists (with their Excel exports), the age-limit run, a person's
recognitions and benefits with breakdown, payments and stops, a decision PDF, and the
person's own page (我的工伤保险待遇)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.benefits.common import rules as common_rules
from jingban.benefits.injury import batch, rules
from jingban.benefits.injury import service as injury
from jingban.benefits.stops import service as stops
from jingban.cases import catalog
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError, PermissionDenied
from jingban.core.excel import xlsx_response
from jingban.core.http import get_db
from jingban.core.pdf import pdf_response
from jingban.registration.models import Person
from jingban.web.pages import page_actor, posted, render, see_other, signed_in

router = APIRouter()
Form = dict[str, Any]
PAYMENT_KINDS = {"regular": "发放", "back_pay": "补发", "adjustment": "重新核定补差"}
AWARD_EVENTS = {"stop": "停发", "suspend": "暂停", "resume": "恢复"}
REASONS = {k: name for k, (_, name) in common_rules.STOP_REASONS.items()}


def _screen(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    items = [catalog.item(code) for code in injury.ITEMS.values()]
    return render(request, "benefits_injury.html", status=status, items=items,
                  recognitions=injury.recognitions(db, actor), awards=injury.awards(db, actor),
                  kinds=rules.RECOGNITION_KINDS, **context)


@router.get("/benefits/injury")
def injury_screen(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _screen(request, db, actor)


@router.post("/benefits/injury/age-limit")
def age_limit(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
              db: Session = Depends(get_db)):
    try:
        made = batch.stop_at_age_limit(db, actor)
    except JingbanError as exc:
        db.rollback()
        return _screen(request, db, actor, status=exc.status, batch_error=exc.message)
    return see_other("/benefits/injury#injury-awards",
                     f"已停发年满18周岁的供养亲属抚恤金{len(made)}人", request)


@router.get("/benefits/injury/awards.xlsx")
def awards_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(injury.awards_xlsx(db, actor), "工伤保险待遇.xlsx")


@router.get("/benefits/injury/recognitions.xlsx")
def recognitions_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(injury.recognitions_xlsx(db, actor), "工伤认定.xlsx")


@router.get("/benefits/injury/awards/{award_id}/decision.pdf")
def decision_pdf(award_id: int, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return pdf_response(injury.decision_pdf(db, actor, award_id), f"工伤保险待遇核定决定书-{award_id}.pdf")


def _record(request: Request, db: Session, actor: Actor, ssn: str, own: bool):
    record = injury.record_of(db, actor, ssn)
    return render(request, "my_injury.html" if own else "benefits_injury_record.html", record=record,
                  own=own, kinds=rules.RECOGNITION_KINDS, event_names=injury.EVENT_NAMES,
                  nursing=rules.NURSING_LEVELS, monthly=rules.MONTHLY_KINDS,
                  statuses=injury.STATUS_NAMES, payment_kinds=PAYMENT_KINDS,
                  award_events=AWARD_EVENTS, reasons=REASONS, sources=stops.SOURCES,
                  items=injury.ITEMS)


@router.get("/persons/{ssn}/injury")
def person_injury(request: Request, ssn: str, actor: Actor = Depends(page_actor),
                  db: Session = Depends(get_db)):
    return _record(request, db, actor, ssn, own=False)


@router.get("/my/injury")
def my_injury(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    kind, _, ident = (actor.subject or "").partition(":")
    person = db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None
    if person is None:
        raise PermissionDenied("portal.subject", "该页面仅供参保人本人网上查询使用")
    return _record(request, db, actor, person.ssn, own=True)
