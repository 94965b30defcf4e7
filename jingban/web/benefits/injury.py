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
from jingban.core.errors import InvalidInput, JingbanError, PermissionDenied
from jingban.core.excel import xlsx_response
from jingban.core.http import get_db
from jingban.core.pdf import pdf_response
from jingban.registration.models import Person
from jingban.web import intake
from jingban.web.pages import page_actor, posted, render, see_other, signed_in
from jingban.web.person_links import PersonSsn  # sec15

router = APIRouter()
Form = dict[str, Any]
PAYMENT_KINDS = {"regular": "发放", "back_pay": "补发", "adjustment": "重新核定补差"}
AWARD_EVENTS = {"stop": "停发", "suspend": "暂停", "resume": "恢复"}
REASONS = {k: name for k, (_, name) in common_rules.STOP_REASONS.items()}


def _screen(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    items = [catalog.item(code) for code in injury.ITEMS.values()]
    context.setdefault("values", {"request_id": intake.new_request_id()})
    return render(request, "benefits_injury.html", status=status, items=items,
                  recognitions=injury.recognitions(db, actor), awards=injury.awards(db, actor),
                  kinds=rules.RECOGNITION_KINDS, relationships=rules.RELATIONSHIPS,
                  materials={k: catalog.item(injury.ITEMS[k]).materials for k in PAYLOADS}, **context)


@router.get("/benefits/injury")
def injury_screen(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _screen(request, db, actor)


# --- the two items whose payload holds a list: their own forms (one line per row) ----------------

def _rows(text: str, width: int, field: str, what: str) -> list[list[str]]:
    rows = [[cell.strip() for cell in line.replace("，", ",").split(",")]
            for line in text.splitlines() if line.strip()]
    for number, row in enumerate(rows, 1):
        if len(row) < width:
            raise InvalidInput("injury.form_rows", f"{what}第{number}行应有{width}项，以逗号分隔", field)
    return rows


def _fen(text: str, field: str) -> int:
    try:
        return int(round(float(text) * 100))
    except ValueError:
        raise InvalidInput("injury.amount", f"金额“{text}”应为数字（元）", field) from None


def medical_payload(values: Form) -> dict:
    """费用明细: one line per item, ``金额（元）,类别（甲/乙/丙）[,名称]``."""
    lines = [{"amount": _fen(r[0], "lines"), "category": r[1], "name": r[2] if len(r) > 2 else ""}
             for r in _rows(str(values.get("lines") or ""), 2, "lines", "费用明细")]
    keys = ("decision_number", "invoice_number", "treated_on", "bank_account")
    return {"ssn": str(values.get("ssn") or "").strip().upper(),
            **{k: str(values.get(k) or "").strip() for k in keys}, "lines": lines}


def death_payload(values: Form) -> dict:
    """供养亲属: one line each, ``社会保障号码,关系,孤儿或孤寡老人（是/否）,完全丧失劳动能力
    （是/否）,账户``."""
    names = {name: code for code, name in rules.RELATIONSHIPS.items()}
    dependants = [{"ssn": r[0].upper(), "relationship": names.get(r[1], r[1]),
                   "orphan_or_alone": r[2] == "是", "unable_to_work": r[3] == "是",
                   "bank_account": r[4]}
                  for r in _rows(str(values.get("dependants") or ""), 5, "dependants", "供养亲属")]
    keys = ("decision_number", "death_date", "payee_name", "bank_account")
    return {"ssn": str(values.get("ssn") or "").strip().upper(),
            **{k: str(values.get(k) or "").strip() for k in keys}, "dependants": dependants}


PAYLOADS = {"medical": medical_payload, "death": death_payload}


@router.post("/benefits/injury/intake/{which}")
def list_item_submit(request: Request, which: str, values: Form = Depends(posted),
                     actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    if which not in PAYLOADS:
        raise InvalidInput("injury.item", "没有该事项", "which")
    item = catalog.item(injury.ITEMS[which])
    try:
        case, repeated = intake.submit(db, actor, item, values, payload=PAYLOADS[which](values))
    except JingbanError as exc:
        db.rollback()
        return _screen(request, db, actor, status=exc.status, values=values, form=which,
                       error=intake.on_form(exc))
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)


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


@router.get("/persons/{pid}/injury")
def person_injury(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                  db: Session = Depends(get_db)):
    return _record(request, db, actor, ssn, own=False)


@router.get("/my/injury")
def my_injury(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    kind, _, ident = (actor.subject or "").partition(":")
    person = db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None
    if person is None:
        raise PermissionDenied("portal.subject", "该页面仅供参保人本人网上查询使用")
    return _record(request, db, actor, person.ssn, own=True)
