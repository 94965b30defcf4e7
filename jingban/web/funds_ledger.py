"""Ledger pages (记账凭证): the voucher list with filters and Excel, one voucher (lines 借/贷 in
yuan, signatures, the cashier's confirm button, the accountant's reversal form), the cashier's
queue, the trial balance and the manual-entry form — the same services as the API. The
supervisor reads; every act is checked again by the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.money import format_yuan
from jingban.funds.ledger import rules, service
from jingban.funds.ledger.schemas import ManualEntryIn, ReversalIn
from jingban.web.pages import page_actor, parse, posted, render, see_other

router = APIRouter()
NAMES = {"funds": rules.FUNDS, "kinds": rules.ENTRY_KINDS, "states": rules.STATES,
         "steps": rules.SIGN_STEPS}
MANUAL_ROWS = 6  # lines on the manual-entry form


def _period(text: str | None, field: str = "period") -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput("funds.period", "会计期间应为 YYYYMM", field)
    return service.check_period(int(text))


def _filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {"fund": q.get("fund") or None, "period": _period(q.get("period")),
            "kind": q.get("kind") or None, "state": q.get("state") or None}


def _list(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    values = dict(request.query_params)
    try:
        found = service.entries(db, actor, **_filters(request))
    except JingbanError as exc:
        found, status, context = [], exc.status, {**context, "error": exc, "form": "filter"}
    return render(request, "funds_entries.html", status=status, entries=found,
                  state=service.states(db, found), values=values,
                  query=request.url.query, review=service.review_queue(db, actor),
                  prepared=service.prepared_cases(db, actor),
                  **NAMES, **context)


@router.get("/funds/entries")
def listing(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor)


@router.get("/funds/entries.xlsx")
def listing_xlsx(request: Request, actor: Actor = Depends(page_actor),
                 db: Session = Depends(get_db)):
    return xlsx_response(service.entries_xlsx(db, actor, **_filters(request)), "记账凭证.xlsx")


def _detail(request: Request, db: Session, actor: Actor, entry_id: int, status: int = 200,
            **context: Any):
    return render(request, "funds_entry.html", status=status,
                  shown=service.entry_view(db, actor, entry_id), **NAMES, **context)


@router.get("/funds/entries/{entry_id}")
def detail(request: Request, entry_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, entry_id)


@router.post("/funds/entries/{entry_id}/confirm")
def confirm(request: Request, entry_id: RowId, _: dict = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        service.sign(db, actor, entry_id, "confirm")
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, entry_id, status=exc.status, error=exc, form="confirm")
    return see_other(f"/funds/entries/{entry_id}", "已出纳确认", request)


@router.post("/funds/entries/{entry_id}/reversal")
def reversal(request: Request, entry_id: RowId, values: dict = Depends(posted),
             actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        data = parse(ReversalIn, {"entry_id": entry_id, "reason": values.get("reason", "")},
                     {"reason": "冲销理由"})
        case = service.open_reversal_case(db, actor, data)
    except JingbanError as exc:
        db.rollback()
        return _detail(request, db, actor, entry_id, status=exc.status, error=exc,
                       form="reversal", values=values)
    return see_other(f"/cases/{case.id}", f"冲销业务件 {case.number} 已受理，待三级审核", request)


@router.get("/funds/cashier")
def cashier(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return render(request, "funds_cashier.html", entries=service.awaiting(db, actor, "confirm"),
                  **NAMES)


@router.get("/funds/trial-balance")
def trial_balance(request: Request, actor: Actor = Depends(page_actor),
                  db: Session = Depends(get_db)):
    q = request.query_params
    values = {"fund": q.get("fund") or next(iter(rules.FUNDS)),
              "period": q.get("period") or str(rules.period_of(clock.today()))}
    shown, error, status = None, None, 200
    try:
        shown = service.trial_balance(db, actor, values["fund"], _period(values["period"]) or 0)
    except JingbanError as exc:
        error, status = exc, exc.status
    return render(request, "funds_trial_balance.html", status=status, shown=shown, error=error,
                  form="filter" if error else None, values=values, **NAMES)


@router.get("/funds/trial-balance.xlsx")
def trial_balance_xlsx(request: Request, actor: Actor = Depends(page_actor),
                       db: Session = Depends(get_db)):
    fund, period = request.query_params.get("fund", ""), _period(request.query_params.get("period"))
    if period is None:
        raise InvalidInput("funds.period", "会计期间应为 YYYYMM", "period")
    content = service.trial_balance_xlsx(db, actor, fund, period)
    return xlsx_response(content, f"试算平衡表_{fund}_{period}.xlsx")


def _manual(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    require(actor, "funds.book")  # the preparer's form (会计制单)
    accounts = {str(code): f"{code} {name}" for code, (name, _) in service.chart(db).items()}
    return render(request, "funds_manual.html", status=status, accounts=accounts,
                  rows=range(MANUAL_ROWS), **NAMES, **context)


@router.get("/funds/manual")
def manual_form(request: Request, actor: Actor = Depends(page_actor),
                db: Session = Depends(get_db)):
    return _manual(request, db, actor)


def manual_request(values: dict[str, Any]) -> ManualEntryIn:
    """The form's rows (account_i, debit_i, credit_i; blank rows left out) as the API's model."""
    lines = [{"account": values.get(f"account_{i}"), "debit": values.get(f"debit_{i}") or "0",
              "credit": values.get(f"credit_{i}") or "0"}
             for i in range(MANUAL_ROWS) if str(values.get(f"account_{i}") or "").strip()]
    data = {"fund": values.get("fund", ""), "memo": values.get("memo", ""), "lines": lines}
    if values.get("entry_on"):
        data["entry_on"] = values["entry_on"]
    return parse(ManualEntryIn, data, {"fund": "险种基金", "memo": "摘要", "entry_on": "记账日期",
                                       "lines": "分录（至少借贷两行）"})


@router.post("/funds/manual")
def manual_submit(request: Request, values: dict = Depends(posted),
                  actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        case = service.open_manual(db, actor, manual_request(values))
    except JingbanError as exc:
        db.rollback()
        return _manual(request, db, actor, status=exc.status, error=exc, values=values,
                       form="manual")
    return see_other(f"/cases/{case.id}", f"手工记账业务件 {case.number} 已受理，待三级审核", request)


# --- month-end sweep (月末归集): the accountant's, from the trial balance ---------------------------

def _sweep_rows(db: Session, actor: Actor, period: int) -> list[dict[str, Any]]:
    """Each fund: what its income account holds at the end of ``period`` (what the sweep takes
    now) and the month's sweep vouchers already booked."""
    swept = service.entries(db, actor, period=period, kind="sweep", oldest_first=True)
    state = service.states(db, swept)
    return [{"fund": fund, "name": name, "left": service.bank_balances(db, fund, period)["income"],
             "swept": [(x, rules.STATES[state[x.id]]) for x in swept if x.fund == fund]}
            for fund, name in rules.FUNDS.items()]


def _sweep_page(request: Request, db: Session, actor: Actor, text: str | None, status: int = 200,
                **context: Any):
    values = {"period": (text or "").strip() or str(rules.period_of(clock.today()))}
    rows, period = [], None
    try:
        period = _period(values["period"])
        rows = _sweep_rows(db, actor, period or 0)
    except JingbanError as exc:
        status, context = exc.status, {**context, "error": exc}
    if "error" in context:
        context["form"] = "sweep"
    return render(request, "funds_sweep.html", status=status, period=period, rows=rows,
                  left=sum(r["left"] for r in rows), values=values, **context, **NAMES)


@router.get("/funds/sweep")
def sweep_form(request: Request, actor: Actor = Depends(page_actor),
               db: Session = Depends(get_db)):
    """The confirmation: what each income account holds, the month's sweep vouchers."""
    return _sweep_page(request, db, actor, request.query_params.get("period"))


@router.post("/funds/sweep")
def sweep(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
          db: Session = Depends(get_db)):
    text = str(values.get("period") or "")
    try:
        period = _period(text)
        if period is None:
            raise InvalidInput("funds.period", "请填写归集的会计期间（YYYYMM）", "period")
        before = {x.fund for x in service.entries(db, actor, period=period, kind="sweep")}
        swept = service.sweep(db, actor, period)
    except JingbanError as exc:
        db.rollback()
        return _sweep_page(request, db, actor, text, status=exc.status, error=exc)
    return see_other(f"/funds/sweep?period={period}", _sweep_notice(period, swept, before),
                     request)


def _sweep_notice(period: int, swept: list, before: set[str]) -> str:
    earlier = f"；此前已归集 {len(before)} 个基金" if before else ""
    if not swept:
        return f"{period} 各险种基金收入户余额均为零，本次未生成归集凭证{earlier}"
    total = format_yuan(sum(x.amount for x in swept))
    vouchers = "、".join(str(x.id) for x in swept)
    return (f"{period} 归集完成：本次归集 {len(swept)} 个基金，合计 {total} 元（凭证 {vouchers}）"
            f"{earlier}；各收入户余额为零，归集凭证待出纳确认")
