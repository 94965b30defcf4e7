"""Pages of the agreement manager (协议管理, R§33, R§43): the list of institutions with its Excel
sheet and the application form, and one institution with its agreements, price list, history and
breach steps; the lifecycle forms submit the same cases as the API."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jingban.agreements.breaches import rules as breach_rules
from jingban.agreements.breaches import service as breaches
from jingban.agreements.breaches.export import decision_pdf
from jingban.agreements.breaches.schemas import NoticeIn, ReasonIn, RepaymentIn, StatementIn
from jingban.agreements.institutions import prices, reads
from jingban.agreements.institutions import rules as inst_rules
from jingban.agreements.institutions.service import price_list
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError, NotFound
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.money import format_yuan
from jingban.core.pdf import pdf_response
from jingban.web.pages import page_actor, parse, posted, render, see_other

router = APIRouter()
NAMES = {"statuses": inst_rules.STATUSES, "kinds": inst_rules.INSTITUTION_KINDS,
         "agreement_kinds": inst_rules.AGREEMENT_KINDS, "agreement_statuses": inst_rules.AGREEMENT_STATUSES,
         "measures": breach_rules.MEASURES, "breach_statuses": breach_rules.STATUSES,
         "grades": inst_rules.GRADES, "termination_kinds": inst_rules.TERMINATION_KINDS}
Step = Literal["review", "sign", "renew", "evaluate"]
ITEMS = {"review": "AGR-REVIEW", "sign": "AGR-SIGN", "renew": "AGR-RENEW", "evaluate": "AGR-EVALUATE"}
BreachAct = Literal["statement", "drop", "decision"]
DONE = {"statement": "已记录陈述申辩", "drop": "已决定不予处理", "decision": "已提交违约处理决定业务件"}
MAX_FILE_BYTES = 10 * 1024 * 1024


def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context):
    state = request.query_params.get("status") or None
    rows = reads.institutions(db, actor, state if state in inst_rules.STATUSES else None)
    return render(request, "agreements/list.html", status=status, rows=rows, state=state, **NAMES,
                  **context)


@router.get("/agreements")
def listing(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor)


@router.get("/agreements/export.xlsx")
def export(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    state = request.query_params.get("status") or None
    rows = reads.institutions(db, actor, state if state in inst_rules.STATUSES else None)
    return xlsx_response(reads.sheet(db, actor, rows), "service-institutions.xlsx")


@router.post("/agreements")
def apply(request: Request, values: dict[str, Any] = Depends(posted),
          actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    payload = {k: values.get(k, "") for k in ("uscc", "name", "kind", "level", "address",
                                              "licence_no", "licence_valid_to")}
    try:
        payload["departments"] = _departments(str(values.get("departments") or ""))
        case = cases.submit(db, actor, "AGR-APPLY", payload)
    except JingbanError as exc:
        db.rollback()
        return _list(request, db, actor, status=exc.status, error=exc, form="apply", values=values)
    return see_other(f"/agreements/{case.subject.split(':')[1]}", "已受理定点申请，请安排现场评估", request)


def _departments(text: str) -> list[dict]:
    """One department a line: 编码 名称."""
    found = []
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) == 2:
            found.append({"code": parts[0], "name": parts[1]})
        elif parts:
            raise InvalidInput("institution.department", f"科室“{line.strip()}”应写作“编码 名称”",
                               "departments")
    return found


def _detail(request: Request, db: Session, actor: Actor, institution_id: int, status: int = 200,
            **context):
    inst = reads.institution(db, actor, institution_id)
    today = clock.today()
    return render(request, "agreements/institution.html", status=status, inst=inst, today=today,
                  departments=reads.departments(db, inst.id), agreements=reads.agreements(db, inst.id),
                  evaluations=reads.evaluations(db, inst.id), history=reads.history(db, actor, inst.id),
                  prices=sorted(price_list(db, inst.id, today).values(), key=lambda p: p.code),
                  breaches=breaches.breaches(db, actor, inst.id), describe=lambda b: breaches.describe(db, b),
                  repaid=lambda b: breaches.repaid_fen(db, b.id),
                  **NAMES, **context)


@router.get("/agreements/{institution_id}")
def detail(request: Request, institution_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, institution_id)


def _payload(step: str, institution_id: int, values: dict[str, Any]) -> dict:
    fields = {"review": ("evaluated_on", "result", "note"), "sign": ("kind", "starts_on", "ends_on"),
              "renew": ("agreement_id", "ends_on"), "evaluate": ("year", "score", "note")}[step]
    payload = {k: values.get(k, "") for k in fields}
    if step != "renew":
        payload["institution_id"] = institution_id
    if step == "sign":
        text = str(values.get("terms") or "").strip()
        payload["terms"] = {"text": text} if not text.startswith("{") else json.loads(text)
    return payload


@router.post("/agreements/{institution_id}/cases/{step}")
def lifecycle(request: Request, institution_id: RowId, step: Step,
              values: dict[str, Any] = Depends(posted), actor: Actor = Depends(page_actor),
              db: Session = Depends(get_db)):
    try:
        case = cases.submit(db, actor, ITEMS[step], _payload(step, institution_id, values))
    except (JingbanError, json.JSONDecodeError) as exc:
        db.rollback()
        error = exc if isinstance(exc, JingbanError) else InvalidInput(
            "agreement.terms", "协议条款JSON格式不正确", "terms")
        return _detail(request, db, actor, institution_id, status=error.status, error=error, form=step,
                       values=values)
    return see_other(f"/agreements/{institution_id}", f"已受理，业务件号{case.number}，待审核", request)


@router.post("/agreements/{institution_id}/prices")
def upload(request: Request, institution_id: RowId, values: dict[str, Any] = Depends(posted),
           actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        file = values.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("prices.file", "请选择价格目录文件", "file")
        result = prices.import_prices(db, actor, institution_id, file.filename,
                                      file.file.read(MAX_FILE_BYTES + 1))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, institution_id, status=exc.status, error=exc, form="prices")
    return _detail(request, db, actor, institution_id, imported=result, form="prices")


@router.post("/agreements/{institution_id}/breaches")
def notice(request: Request, institution_id: RowId, values: dict[str, Any] = Depends(posted),
           actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        breaches.serve_notice(db, actor, parse(NoticeIn, {**values, "institution_id": institution_id}))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, institution_id, status=exc.status, error=exc, form="breach",
                       values=values)
    return see_other(f"/agreements/{institution_id}", "已送达违约处理告知，陈述申辩期限内不得作出决定",
                     request)


@router.post("/agreements/{institution_id}/breaches/{breach_id}/repayment")
def repayment(request: Request, institution_id: RowId, breach_id: RowId,
              values: dict[str, Any] = Depends(posted), actor: Actor = Depends(page_actor),
              db: Session = Depends(get_db)):
    """追回款到账: recorded and booked to the fund (the breach must be this institution's)."""
    try:
        if breach_id not in {b.id for b in breaches.breaches(db, actor, institution_id)}:
            raise NotFound("breach.not_found", f"未找到违约处理 {breach_id}", "breach_id")
        fields = {k: values.get(k) or None for k in ("fund", "amount", "paid_on", "reference")}
        done = breaches.record_repayment(db, actor, breach_id, parse(RepaymentIn, fields))
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, institution_id, status=exc.status, error=exc,
                       form=f"breach-{breach_id}", values=values)
    return see_other(f"/agreements/{institution_id}",
                     f"已登记追回款到账 {format_yuan(done.amount_fen)} 元并记入基金账", request)


@router.post("/agreements/{institution_id}/breaches/{breach_id}/{act}")
def breach_act(request: Request, institution_id: RowId, breach_id: RowId, act: BreachAct,
               values: dict[str, Any] = Depends(posted), actor: Actor = Depends(page_actor),
               db: Session = Depends(get_db)):
    try:
        if act == "statement":
            text = parse(StatementIn, {"text": values.get("text", "")})
            breaches.record_statement(db, actor, breach_id, text)
        else:
            reason = parse(ReasonIn, {"reason": values.get("reason", "")}).reason
            (breaches.drop if act == "drop" else breaches.submit_decision)(db, actor, breach_id, reason)
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, institution_id, status=exc.status, error=exc,
                       form=f"breach-{breach_id}", values=values)
    return see_other(f"/agreements/{institution_id}", DONE[act], request)


@router.get("/agreements/breaches/{breach_id}/pdf")
def breach_pdf(breach_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    content, filename = decision_pdf(db, actor, breach_id)
    return pdf_response(content, filename)
