"""Inspector's pages: the inspection ledger (with filing, plan and Excel export), one inspection
(findings form, order, correction, handover, the sheet, its penalties) and one penalty (decision,
collections, deposits) — the same services as the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jingban.cases import rules as case_rules
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.pdf import pdf_response
from jingban.oversight.inspections import export, rules, service
from jingban.oversight.inspections.schemas import (
    ConclusionIn,
    CorrectionIn,
    HandoverIn,
    InspectionIn,
    PlanIn,
)
from jingban.oversight.penalties import export as penalty_export
from jingban.oversight.penalties import rules as penalty_rules
from jingban.oversight.penalties import service as penalties
from jingban.oversight.penalties.schemas import DecisionIn, DepositIn, FundIn, PaymentIn, ProposalIn
from jingban.registration.rules import INSURANCES
from jingban.web.pages import page_actor, parse, posted, render, see_other

router = APIRouter()
Form = dict[str, Any]
NAMES = {"kinds": rules.SUBJECT_KINDS, "statuses": rules.STATUSES, "methods": rules.PLAN_METHODS,
         "departments": rules.DEPARTMENTS, "penalty_kinds": {k: v[0] for k, v in penalty_rules.KINDS.items()},
         "parts": penalty_rules.PARTS, "case_statuses": case_rules.STATUS_NAMES,
         "funds": INSURANCES}
LIST = "/oversight/inspections"
TITLES = {"subject_ref": "对象编码", "reason": "核查事由", "findings": "核查发现的事实",
          "order_text": "责令改正的事项", "correction_wd": "改正期限", "note": "说明",
          "fine": "罚款金额", "amount": "金额", "facts": "违法事实", "reference": "缴款票据号",
          "size": "抽取数量", "name": "计划名称", "fund": "险种基金"}
FUND_TITLES = {**TITLES, "reason": "补记依据"}


def _submit(request: Request, db: Session, values: Form, form: str,
            do: Callable[[], tuple[str, str]], again: Callable[..., Response]) -> Response:
    """One form's POST: ``do`` acts and says where to go and what to tell; a refusal rolls
    back and shows ``again`` (the page the form is on) with the error at the form."""
    try:
        url, message = do()
    except JingbanError as exc:
        db.rollback()
        return again(status=exc.status, error=exc, values=values, form=form)
    return see_other(url, message, request)


def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    shown = request.query_params.get("status") or None
    plan = request.query_params.get("plan") or ""
    plan_id = int(plan) if plan.isdigit() and 0 < int(plan) < 2**31 else None
    rows = service.inspections(db, actor, status=shown if shown in rules.STATUSES else None,
                               plan_id=plan_id)
    return render(request, "oversight_inspections/list.html", status=status,
                  rows=[service.out(db, r) for r in rows], plans=service.plans(db, actor, 10),
                  shown_status=shown or "", plan_id=plan_id, **NAMES, **context)


@router.get(LIST)
def listing(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor)


@router.get(LIST + ".xlsx")
def listing_xlsx(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    shown = request.query_params.get("status") or None
    return xlsx_response(*export.inspections_xlsx(db, actor, shown if shown in rules.STATUSES else None))


@router.post(LIST)
def open_one(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
             db: Session = Depends(get_db)):
    def do():
        data = parse(InspectionIn, {**values, "origin": values.get("origin") or None}, TITLES)
        case = service.open_inspection(db, actor, subject_kind=data.subject_kind,
                                       subject_ref=data.subject_ref, reason=data.reason,
                                       origin=data.origin)
        return f"{LIST}/{service.by_case(db, case.id).id}", f"已立案核查，业务件号{case.number}"

    return _submit(request, db, values, "open", do, partial(_list, request, db, actor))


@router.post(LIST + "/plans")
def create_plan(request: Request, values: Form = Depends(posted), actor: Actor = Depends(page_actor),
                db: Session = Depends(get_db)):
    refs = [r for r in str(values.get("refs") or "").replace("，", ",").replace("\n", ",").split(",")
            if r.strip()]

    def do():
        plan = service.create_plan(db, actor, parse(PlanIn, {**values, "refs": refs}, TITLES))
        seed = f"，随机种子 {plan.seed}（可复现）" if plan.seed is not None else ""
        return (f"{LIST}?plan={plan.id}",
                f"核查计划已制定：从 {plan.population} 个对象中确定 {plan.size} 个并逐一立案{seed}")

    return _submit(request, db, values, "plan", do, partial(_list, request, db, actor))


# --- one inspection ---------------------------------------------------------------------------

def _detail(request: Request, db: Session, actor: Actor, inspection_id: int, status: int = 200,
            **context: Any):
    shown = service.view(db, actor, inspection_id)
    found = penalties.penalties(db, actor, inspection_id=inspection_id)
    return render(request, "oversight_inspections/detail.html", status=status, **shown,
                  penalties=[penalties.out(db, p) for p in found], today=clock.today(),
                  **NAMES, **context)


@router.get(LIST + "/{inspection_id}")
def detail(request: Request, inspection_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, inspection_id)


def _act(request: Request, db: Session, actor: Actor, inspection_id: int, values: Form,
         form: str, do: Callable[[], str]) -> Response:
    """An act on one inspection's page: back to it, with the message or the error."""
    return _submit(request, db, values, form, lambda: (f"{LIST}/{inspection_id}", do()),
                   partial(_detail, request, db, actor, inspection_id))


@router.post(LIST + "/{inspection_id}/conclusion")
def conclude(request: Request, inspection_id: RowId, values: Form = Depends(posted),
             actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        data = parse(ConclusionIn, {**values, "refer": values.get("refer") or "false"}, TITLES)
        case = service.submit_conclusion(db, actor, inspection_id, data)
        return f"核查结论已提交审核，业务件号{case.number}（两级审核）"

    return _act(request, db, actor, inspection_id, values, "conclusion", do)


@router.post(LIST + "/{inspection_id}/correction")
def correction(request: Request, inspection_id: RowId, values: Form = Depends(posted),
               actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        service.record_correction(db, actor, inspection_id, parse(CorrectionIn, values, TITLES))
        return "已登记改正情况，核查结案"

    return _act(request, db, actor, inspection_id, values, "correction", do)


@router.post(LIST + "/{inspection_id}/handover")
def handover(request: Request, inspection_id: RowId, values: Form = Depends(posted),
             actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        case = service.submit_handover(db, actor, inspection_id, parse(HandoverIn, values, TITLES))
        return f"已提请移交，业务件号{case.number}（一级审核后生成移交书）"

    return _act(request, db, actor, inspection_id, values, "handover", do)


@router.get(LIST + "/{inspection_id}/handover.pdf")
def handover_sheet(inspection_id: RowId, actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    return pdf_response(*export.handover_pdf(db, actor, inspection_id))


@router.post(LIST + "/{inspection_id}/penalties")
def propose(request: Request, inspection_id: RowId, values: Form = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        row = penalties.propose(db, actor, parse(ProposalIn, {
            **values, "inspection_id": inspection_id, "amount": values.get("amount") or "0",
            "fund": values.get("fund") or None}, TITLES))
        legal = penalty_rules.Range(row.range_low, row.range_high)
        return f"/oversight/penalties/{row.id}", f"已提出处罚建议，法定罚款幅度：{legal.label}"

    return _submit(request, db, values, "penalty", do,
                   partial(_detail, request, db, actor, inspection_id))


# --- one penalty ------------------------------------------------------------------------------

PENALTIES = "/oversight/penalties"
PENALTY = PENALTIES + "/{penalty_id}"


def _penalty_status(request: Request) -> str | None:
    shown = request.query_params.get("status") or None
    return shown if shown in penalty_rules.STATUSES else None


@router.get(PENALTIES)
def penalty_list(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    shown = _penalty_status(request)
    rows = [penalties.out(db, r) for r in penalties.penalties(db, actor, status=shown)]
    return render(request, "oversight_inspections/penalties.html", rows=rows,
                  shown_status=shown or "", penalty_statuses=penalty_rules.STATUSES, **NAMES)


@router.get(PENALTIES + ".xlsx")
def penalty_list_xlsx(request: Request, actor: Actor = Depends(page_actor),
                      db: Session = Depends(get_db)):
    return xlsx_response(*penalty_export.penalties_xlsx(db, actor, _penalty_status(request)))


def _penalty(request: Request, db: Session, actor: Actor, penalty_id: int, status: int = 200,
             **context: Any):
    row = penalties.get_penalty(db, actor, penalty_id)
    return render(request, "oversight_inspections/penalty.html", status=status, row=row,
                  shown=penalties.out(db, row), **NAMES, **context)


@router.get(PENALTY)
def penalty_page(request: Request, penalty_id: RowId, actor: Actor = Depends(page_actor),
                 db: Session = Depends(get_db)):
    return _penalty(request, db, actor, penalty_id)


def _penalty_act(request: Request, db: Session, actor: Actor, penalty_id: int, values: Form,
                 form: str, do: Callable[[], str]) -> Response:
    """An act on one penalty's page: back to it, with the message or the error."""
    return _submit(request, db, values, form, lambda: (f"/oversight/penalties/{penalty_id}", do()),
                   partial(_penalty, request, db, actor, penalty_id))


@router.get(PENALTY + "/decision.pdf")
def penalty_decision_pdf(penalty_id: RowId, actor: Actor = Depends(page_actor),
                         db: Session = Depends(get_db)):
    return pdf_response(*penalty_export.decision_pdf(db, actor, penalty_id))


@router.post(PENALTY + "/decision")
def decide(request: Request, penalty_id: RowId, values: Form = Depends(posted),
           actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        case = penalties.submit_decision(db, actor, penalty_id, parse(DecisionIn, values, TITLES))
        return f"处罚决定已提请审核，业务件号{case.number}（三级审核）"

    return _penalty_act(request, db, actor, penalty_id, values, "decision", do)


@router.post(PENALTY + "/fund")
def fund(request: Request, penalty_id: RowId, values: Form = Depends(posted),
         actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        row = penalties.set_fund(db, actor, penalty_id, parse(FundIn, values, FUND_TITLES))
        return f"已补记险种基金：{INSURANCES[row.fund]}"

    return _penalty_act(request, db, actor, penalty_id, values, "fund", do)


@router.post(PENALTY + "/payments")
def payment(request: Request, penalty_id: RowId, values: Form = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        paid = penalties.record_payment(db, actor, penalty_id, parse(PaymentIn, values, TITLES))
        return f"已登记收回款项，应于{paid.deposit_due}前缴入（十个工作日）"

    return _penalty_act(request, db, actor, penalty_id, values, "payment", do)


@router.post(PENALTY + "/payments/{payment_id}/deposit")
def deposit(request: Request, penalty_id: RowId, payment_id: RowId, values: Form = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def do():
        penalties.record_deposit(db, actor, penalty_id, payment_id, parse(DepositIn, values, TITLES))
        return "已登记缴入"

    return _penalty_act(request, db, actor, penalty_id, values, f"deposit{payment_id}", do)
