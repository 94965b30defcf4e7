"""Medical benefit pages (医疗费用手工报销、门诊慢特病认定) and the person's overview of every
benefit (我的待遇). The clerk enters the invoices as lines, one item a line, sees the split of
each invoice before intake, and takes the claim in; the list has its Excel export and each
decision its PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jingban.agreements.claims.rules import DECISIONS
from jingban.benefits.maternity import service as maternity
from jingban.benefits.maternity.schemas import PregnancyIn
from jingban.benefits.medical import overview as overviews
from jingban.benefits.medical import service as medical
from jingban.benefits.medical.schemas import LineDecisionIn, ManualClaimIn
from jingban.cases import catalog
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError, PermissionDenied
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.money import parse_yuan
from jingban.core.pdf import pdf_response
from jingban.registration.models import Person
from jingban.web import intake
from jingban.web.pages import form_error, page_actor, posted, render, see_other, signed_in
from jingban.web.person_links import PersonSsn  # sec15

router = APIRouter()
Form = dict[str, Any]
TITLES = {"invoices": "票据明细", "bank_account": "社会保障卡金融账户", "purpose": "费用类别"}
COLUMNS = "票据号,医疗机构,日期,住院或门诊,诊断编码,项目,类别,金额（元）[,乙类自付比例%]"
SETTINGS = {"住院": True, "门诊": False}


def _row(number: int, text: str) -> tuple[tuple[str, str, str, bool, str], dict]:
    cells = [c.strip() for c in text.replace("，", ",").split(",")]
    if len(cells) not in (8, 9) or cells[3] not in SETTINGS:
        raise InvalidInput("medical.line", f"第{number}行格式应为：{COLUMNS}", "invoices")
    line = {"item": cells[5], "category": cells[6], "amount_fen": parse_yuan(cells[7], "invoices")}
    if len(cells) == 9 and cells[8]:
        line["self_pay_bp"] = parse_yuan(cells[8], "invoices")  # a percentage in fen is bp
    return (cells[0], cells[1], cells[2], SETTINGS[cells[3]], cells[4]), line


def invoices_of(text: str) -> list[dict]:
    """The entered lines grouped into invoices (by number and institution), in entry order."""
    found: dict[tuple, dict] = {}
    for number, raw in enumerate((x for x in text.splitlines() if x.strip()), start=1):
        (no, hospital, day, inpatient, diagnosis), line = _row(number, raw)
        invoice = found.setdefault((no, hospital), {"invoice_no": no, "hospital": hospital, "service_on": day,
                                                    "inpatient": inpatient, "diagnosis": diagnosis,
                                                    "lines": []})
        invoice["lines"].append(line)
    if not found:
        raise InvalidInput("medical.no_lines", "请录入至少一行票据明细", "invoices")
    return list(found.values())


def _claim_of(values: Form) -> tuple[str, ManualClaimIn]:
    ssn = str(values.get("ssn") or "").strip().upper()[:18]
    try:
        data = ManualClaimIn.model_validate({
            "purpose": values.get("purpose") or "illness", "bank_account": values.get("bank_account") or "",
            "invoices": invoices_of(str(values.get("invoices") or ""))})
    except ValidationError as exc:
        raise form_error(exc, TITLES) from None
    return ssn, data


def _page(request: Request, db: Session, actor: Actor, values: Form, status: int = 200, **context: Any):
    return render(request, "benefits_medical.html", status=status, values=values, columns=COLUMNS,
                  item=catalog.item(medical.ITEM), claims=medical.claims(db, actor),
                  recognitions=medical.recognitions(db, actor), fund_names=medical.FUND_NAMES,
                  chronic_status=medical.CHRONIC_STATUS,
                  **context)


@router.get("/benefits/medical")
def screen(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _page(request, db, actor, {"request_id": intake.new_request_id()})


@router.post("/benefits/medical")
def preview_or_submit(request: Request, values: Form = Depends(posted),
                      actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    """核算 shows the split; 受理 takes the claim in (the act runs again on final approval)."""
    item = catalog.item(medical.ITEM)
    try:
        ssn, data = _claim_of(values)
        if values.get("action") != "submit":
            found = medical.preview(db, actor, ssn, data)
            return _page(request, db, actor, values, found=found, form="claim")
        payload = {"ssn": ssn, **data.model_dump(mode="json", exclude_unset=True)}
        case, repeated = intake.submit(db, actor, item, values, payload)
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, values, status=exc.status, error=intake.on_form(exc, TITLES),
                     form="claim")
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)


@router.get("/benefits/medical/claims.xlsx")
def claims_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(medical.claims_xlsx(db, actor), "医疗费用手工报销.xlsx")


@router.get("/benefits/medical/claims/{claim_id}/decision.pdf")
def decision(claim_id: int, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    return pdf_response(medical.decision_pdf(db, actor, claim_id), f"手工报销决定书-{claim_id}.pdf")


# --- the reviewer's decisions on flagged invoice lines (Z-6) ------------------------------------

def _review(request: Request, db: Session, actor: Actor, case_id: int, status: int = 200, **context: Any):
    return render(request, "benefits_medical_review.html", status=status, case_id=case_id,
                  lines=medical.pending_flags(db, actor, case_id), decisions=DECISIONS, **context)


@router.get("/benefits/medical/cases/{case_id}/review")
def review_page(request: Request, case_id: RowId, actor: Actor = Depends(page_actor),
                db: Session = Depends(get_db)):
    return _review(request, db, actor, case_id)


@router.post("/benefits/medical/cases/{case_id}/lines")
def decide_line(request: Request, case_id: RowId, values: Form = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    cut = str(values.get("cut") or "").strip()
    try:
        data = LineDecisionIn.model_validate({
            "invoice_no": values.get("invoice_no") or "", "line_no": values.get("line_no") or 0,
            "decision": values.get("decision") or "", "reason": values.get("reason") or "",
            "cut_fen": parse_yuan(cut, "cut_fen") if cut else None})
    except ValidationError as exc:
        raise form_error(exc, {"decision": "审核结论", "reason": "理由"}) from None
    try:
        medical.decide_line(db, actor, case_id, data)
    except JingbanError as exc:
        db.rollback()
        return _review(request, db, actor, case_id, status=exc.status, error=intake.on_form(exc, {}),
                       form="line")
    return see_other(f"/benefits/medical/cases/{case_id}/review", "已保存审核结论", request)


# --- every benefit of a person: staff view and the person's own ---------------------------------

def _overview(request: Request, db: Session, actor: Actor, ssn: str, own: bool):
    return render(request, "my_benefits.html", found=overviews.overview(db, actor, ssn), own=own,
                  fund_names=medical.FUND_NAMES)


@router.get("/persons/{pid}/benefits")
def person_benefits(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                    db: Session = Depends(get_db)):
    return _overview(request, db, actor, ssn, own=False)


@router.get("/my/benefits")
def my_benefits(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    kind, _, ident = (actor.subject or "").partition(":")
    person = db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None
    if person is None:
        raise PermissionDenied("portal.subject", "该页面仅供参保人本人网上查询使用")
    return _overview(request, db, actor, person.ssn, own=True)


@router.post("/my/benefits/pregnancy")
def my_pregnancy(request: Request, values: Form = Depends(posted), actor: Actor = Depends(signed_in),
                 db: Session = Depends(get_db)):
    """生育登记 by the woman herself on the portal."""
    kind, _, ident = (actor.subject or "").partition(":")
    person = db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None
    if person is None:
        raise PermissionDenied("portal.subject", "该页面仅供参保人本人网上办理")
    try:
        expected = dt.date.fromisoformat(str(values.get("expected_on") or ""))
    except ValueError:
        raise InvalidInput("maternity.expected_on", "预产期格式应为 YYYY-MM-DD", "expected_on") from None
    record = PregnancyIn(expected_on=expected, hospital=str(values.get("hospital") or ""))
    maternity.register_pregnancy(db, actor, person.ssn, record)
    return see_other("/my/benefits#estimate-maternity", "已办理生育登记", request)
