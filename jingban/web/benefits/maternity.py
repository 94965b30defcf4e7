"""Maternity pages (生育津贴): the clerk's screen with the pregnancy record, the allowance
computed before intake, the list and its Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.benefits.maternity import export
from jingban.benefits.maternity import service as maternity
from jingban.benefits.maternity.schemas import PregnancyIn
from jingban.cases import catalog
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.pdf import pdf_response
from jingban.web import intake
from jingban.web.pages import page_actor, posted, render, see_other, signed_in
from jingban.web.person_links import QuerySsn, person_query  # secfix

router = APIRouter()
Form = dict[str, Any]
TITLES = {"birth_date": "分娩日期", "babies": "婴儿数", "birth_order": "孩次",
          "bank_account": "社会保障卡金融账户", "expected_on": "预产期"}


def _day(text: str, field: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput("maternity.date", f"{TITLES[field]}格式应为 YYYY-MM-DD", field) from None


def _count(values: Form, name: str) -> int:
    text = str(values.get(name) or "1")
    return int(text) if text.isdigit() else 0


def _page(request: Request, db: Session, actor: Actor, values: Form, status: int = 200, **context: Any):
    found, problem = None, None
    ssn = str(values.get("ssn") or "").strip().upper()[:18]
    if ssn:
        try:
            found = maternity.preview(db, actor, ssn, _day(str(values.get("birth_date") or ""), "birth_date"),
                                      _count(values, "babies"), bool(values.get("difficult_birth")),
                                      _count(values, "birth_order"))
        except JingbanError as exc:
            problem = exc
    return render(request, "benefits_maternity.html", status=status, found=found, problem=problem,
                  item=catalog.item(maternity.ITEM), values=values, awards=maternity.awards(db, actor),
                  **context)


@router.get("/benefits/maternity")
def screen(request: Request, ssn: QuerySsn, birth_date: str = "", babies: str = "1",  # secfix
           difficult_birth: str = "", birth_order: str = "1", actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _page(request, db, actor, {"ssn": ssn, "birth_date": birth_date, "babies": babies,
                                      "birth_order": birth_order,
                                      "difficult_birth": difficult_birth,
                                      "request_id": intake.new_request_id()})


@router.post("/benefits/maternity")
def submit(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    item = catalog.item(maternity.ITEM)
    values = {**values, "difficult_birth": "true" if values.get("difficult_birth") else "false"}
    try:
        case, repeated = intake.submit(db, actor, item, values)
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, values, status=exc.status, error=intake.on_form(exc, TITLES),
                     form="claim")
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)


@router.post("/benefits/maternity/pregnancy")
def pregnancy(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
              db: Session = Depends(get_db)):
    ssn = str(values.get("ssn") or "").strip().upper()[:18]
    try:
        expected = _day(str(values.get("expected_on") or ""), "expected_on")
        if expected is None:
            raise InvalidInput("maternity.expected_on", "请填写预产期", "expected_on")
        maternity.register_pregnancy(db, actor, ssn, PregnancyIn(expected_on=expected,
                                                                 hospital=str(values.get("hospital") or "")))
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, values, status=exc.status, error=intake.on_form(exc, TITLES),
                     form="pregnancy")
    return see_other(f"/benefits/maternity{person_query(db, ssn)}", "已办理生育登记", request)  # secfix


@router.get("/benefits/maternity/awards.xlsx")
def awards_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(maternity.awards_xlsx(db, actor), "生育津贴.xlsx")


@router.get("/benefits/maternity/awards/{award_id}/decision.pdf")
def decision(award_id: RowId, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    """生育津贴核定决定书: staff, or the woman her own from the portal."""
    return pdf_response(*export.decision_pdf(db, actor, award_id))


@router.get("/benefits/maternity/cases/{case_id}/decision.pdf")
def case_decision(case_id: RowId, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    """The decision of a completed BEN-MATERNITY case (the case page, staff's or the applicant's)."""
    return pdf_response(*export.decision_pdf(db, actor, export.award_of_case(db, case_id)))
