"""The supervisor's view (行政监督, R§47): read-only pages over cases, deadlines, funds,
agreements, inspections and statistics, with charts. Every view is logged (查询留痕) and the
role reaches no write path (core.http.ReadOnlyRoles refuses each one)."""

from __future__ import annotations

from collections.abc import Callable  # claims13
from dataclasses import dataclass  # claims13
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements import overview as agreements_overview  # agrfin
from jingban.cases import catalog
from jingban.cases import rules as case_rules
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import audit, clock, privacy
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import InvalidInput, NotFound  # claims13
from jingban.core.excel import workbook, xlsx_response  # claims13
from jingban.core.http import get_db
from jingban.funds.ledger.rules import FUNDS, period_of
from jingban.funds.reports import service as fund_reports
from jingban.oversight import service as oversight
from jingban.oversight.dishonesty import rules as dishonesty_rules
from jingban.oversight.dishonesty import service as dishonesty
from jingban.web import charts
from jingban.web.funds_reports import fund_charts
from jingban.web.pages import page_actor, render

router = APIRouter()
VIEWS = {"statistics": "统计", "cases": "业务件", "deadlines": "时限", "funds": "基金",
         "agreements": "服务协议", "inspections": "监督检查与信用"}
Status = Literal["awaiting_materials", "in_review", "returned", "completed", "closed"]


def _seen(request: Request, db: Session, actor: Actor, view: str, **context):
    """查询留痕: the view is recorded before it is shown."""
    require(actor, "supervision.read")
    audit.log_access(db, actor, f"supervision:{view}", f"supervision.{view}")
    return render(request, f"supervision/{view}.html", view=view, views=VIEWS, **context)


def _count(value: float) -> str:
    return f"{value:.0f}"


@router.get("/supervision")
def statistics(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    require(actor, "supervision.read")
    items = cases.dashboard(db, actor)["items"]
    chart = charts.bar_chart("按事项的业务件：受理、办结、逾期", [x["name"][:8] for x in items],
                             [("受理", [x["total"] for x in items]),
                              ("办结", [x["completed"] for x in items]),
                              ("逾期", [x["overdue"] for x in items])],
                             label=_count, unit="件") if items else None
    listed = dishonesty.listings(db, actor, limit=500)
    by_status = {s: sum(1 for x in listed if x.status == s) for s in dishonesty_rules.STATUSES}
    return _seen(request, db, actor, "statistics", items=items, chart=chart, by_status=by_status,
                 statuses=dishonesty_rules.STATUSES)


def _cases(db: Session, actor: Actor, status: str | None) -> list[Case]:
    require(actor, "cases.read")
    stmt = select(Case).order_by(Case.id.desc()).limit(200)
    return list(db.execute(stmt.where(Case.status == status) if status else stmt).scalars())


@router.get("/supervision/cases")
def case_list(request: Request, status: Status | None = None,
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _seen(request, db, actor, "cases", rows=_cases(db, actor, status), shown_status=status,
                 statuses=case_rules.STATUS_NAMES, names=_item_names())


def _item_names() -> dict[str, str]:
    return {code: item.name for code, item in catalog.load().items()}


@router.get("/supervision/deadlines")
def deadlines(request: Request, within: int = Query(default=5, ge=1, le=60),
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    found = cases.due_list(db, actor, within)
    return _seen(request, db, actor, "deadlines", found=found, within=within, names=_item_names())


@router.get("/supervision/funds")
def funds(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    last = period_of(clock.today())
    shown = [{"fund": fund, "name": name, **fund_charts(rows, name)}
             for fund, name, rows in _fund_series(db, actor, last)]
    return _seen(request, db, actor, "funds", shown=shown, last=last)


def _fund_series(db: Session, actor: Actor, last: int) -> list[tuple[str, str, list[dict]]]:
    """Each fund with any income, expenditure or balance: its months up to ``last``."""
    found = []
    for fund, name in FUNDS.items():
        rows = fund_reports.series(db, actor, fund, last)
        if any(r["income"] or r["expense"] or r["reserve"] for r in rows):
            found.append((fund, name, rows))
    return found


@router.get("/supervision/agreements")
def agreements(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    """Institutions and their agreements, breach measures and monthly settlements (R§47 (四))."""
    found = agreements_overview.overview(db, actor)
    months = found["months"]
    chart = charts.bar_chart("定点机构月度结算：申报、核减、基金支付", [str(p) for p in months],
                             [("申报", [m["claimed"] for m in months.values()]),
                              ("核减", [m["cut"] for m in months.values()]),
                              ("基金支付", [m["fund"] for m in months.values()])]) if months else None
    return _seen(request, db, actor, "agreements", chart=chart, **found)


@router.get("/supervision/inspections")
def inspections(request: Request, actor: Actor = Depends(page_actor),
                db: Session = Depends(get_db)):
    """Oversight cases (every item whose act is an oversight act: inspections, the list…),
    credit records and the list's entries."""
    return _seen(request, db, actor, "inspections", rows=_oversight_cases(db, actor),
                 names=_item_names(),
                 statuses=case_rules.STATUS_NAMES, credits=oversight.credits(db, actor, limit=200),
                 act_name=oversight.act_name, listings=dishonesty.listings(db, actor),
                 listing_statuses=dishonesty_rules.STATUSES)


def _oversight_cases(db: Session, actor: Actor) -> list[Case]:
    require(actor, "cases.read")
    codes = [code for code, item in catalog.load().items() if (item.act or "").startswith("oversight.")]
    return list(db.execute(select(Case).where(Case.item_code.in_(codes))
                           .order_by(Case.id.desc()).limit(200)).scalars())


# --- Excel of every list (claims13) -----------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """One supervision list as a sheet; ``personal`` when it names persons (privacy.log_export)."""

    title: str
    headers: tuple[str, ...]
    rows: list[list[Any]]
    money: tuple[int, ...] = ()
    personal: bool = False


def _case_rows(found: list[Case], *extra: Callable[[Case], Any]) -> list[list[Any]]:
    names, statuses = _item_names(), case_rules.STATUS_NAMES
    return [[c.number, names.get(c.item_code, c.item_code), c.applicant_name, statuses[c.status],
             c.received_on, c.due_on or "", c.completed_on or "", *(f(c) for f in extra)]
            for c in found]


CASE_HEADERS = ("业务件号", "事项", "申请人", "状态", "受理日期", "办结期限", "办结日期")


def _sheet_statistics(db: Session, actor: Actor, _request: Request) -> Sheet:
    items = cases.dashboard(db, actor)["items"]
    return Sheet("按事项统计", ("事项", "受理", "在办", "办结", "按时办结", "逾期"),
                 [[x["name"], x["total"], x["open"], x["completed"], x["on_time"], x["overdue"]]
                  for x in items])


def _sheet_cases(db: Session, actor: Actor, request: Request) -> Sheet:
    status = request.query_params.get("status") or None
    if status is not None and status not in case_rules.STATUS_NAMES:
        raise InvalidInput("supervision.status", "业务件状态不正确", "status")
    return Sheet("业务件", CASE_HEADERS, _case_rows(_cases(db, actor, status)), personal=True)


def _sheet_deadlines(db: Session, actor: Actor, request: Request) -> Sheet:
    within = request.query_params.get("within") or "5"
    if not within.isdigit() or not 1 <= int(within) <= 60:
        raise InvalidInput("supervision.within", "到期天数应为1至60个工作日", "within")
    found = cases.due_list(db, actor, int(within))
    rows = [["已超期" if key == "overdue" else f"{within}个工作日内到期", *row]
            for key in ("overdue", "due_soon")
            for row in _case_rows(found[key], lambda c: c.assigned_to or c.intake_by,
                                  lambda c: "暂定" if c.due_provisional else "")]
    return Sheet("办理时限", ("类别", *CASE_HEADERS, "经办人", "期限说明"), rows, personal=True)


def _sheet_funds(db: Session, actor: Actor, _request: Request) -> Sheet:
    rows = [[name, r["period"], r["income"], r["expense"], r["reserve"], r["accumulated"],
             "" if r["reserve_months"] is None else float(r["reserve_months"])]
            for _fund, name, series in _fund_series(db, actor, period_of(clock.today()))
            for r in series]
    return Sheet("基金收支", ("基金", "月份", "收入（元）", "支出（元）", "结存（元）", "累计结余（元）",
                          "可支付月数"), rows, money=(2, 3, 4, 5))


def _sheet_institutions(db: Session, actor: Actor, _request: Request) -> Sheet:
    found = agreements_overview.overview(db, actor)
    names = found["agreement_statuses"]
    return Sheet("定点服务机构", ("机构名称", "统一社会信用代码", "类别", "状态", "服务协议"), [
        [i["row"].name, i["row"].uscc, i["kind"], i["status"], "；".join(
            f"{a.number}（{a.starts_on}至{a.ends_on}，{names.get(a.status, a.status)}）"
            for a in i["agreements"])] for i in found["institutions"]])


def _sheet_breaches(db: Session, actor: Actor, _request: Request) -> Sheet:
    found = agreements_overview.overview(db, actor)["breaches"]
    return Sheet("违约处理", ("编号", "机构", "处理措施", "状态", "告知日期", "决定日期", "已追回（元）"), [
        [b["row"].id, b["institution"], b["measure"], b["status"], b["row"].noticed_on,
         b["row"].decided_on or "", b["repaid_fen"] if b["row"].measure == "recover" else ""]
        for b in found], money=(6,))


def _sheet_settlements(db: Session, actor: Actor, _request: Request) -> Sheet:
    found = agreements_overview.overview(db, actor)["settlements"]
    return Sheet("月度结算", ("结算月份", "第几次", "机构", "基金", "结算单", "申报（元）", "核减（元）",
                          "补拨明细（元）", "认可（元）", "基金支付（元）", "状态"), [
        [s["row"].period, s["row"].sequence, s["institution"], s["fund"], s["row"].claims,
         s["row"].claimed_fen, s["row"].cut_fen, s["row"].reinstated_fen, s["row"].accepted_fen,
         s["row"].fund_fen, s["status"]] for s in found], money=(5, 6, 7, 8, 9))


def _sheet_oversight_cases(db: Session, actor: Actor, _request: Request) -> Sheet:
    return Sheet("监督类业务件", CASE_HEADERS, _case_rows(_oversight_cases(db, actor)), personal=True)


def _sheet_listings(db: Session, actor: Actor, _request: Request) -> Sheet:
    statuses = dishonesty_rules.STATUSES
    return Sheet("严重失信主体名单", ("编号", "主体", "代码或号码", "状态", "列入日期", "公示截止"), [
        [x.id, x.subject_name, x.subject_key, statuses[x.status], x.listed_on or "",
         x.listed_until or ""] for x in dishonesty.listings(db, actor)], personal=True)


def _sheet_credits(db: Session, actor: Actor, _request: Request) -> Sheet:
    return Sheet("失信行为记录", ("日期", "主体", "行为", "事实"), [
        [r.recorded_on, r.subject_name, oversight.act_name(r.act), r.description]
        for r in oversight.credits(db, actor, limit=200)], personal=True)


SHEETS: dict[str, Callable[[Session, Actor, Request], Sheet]] = {
    "statistics": _sheet_statistics, "cases": _sheet_cases, "deadlines": _sheet_deadlines,
    "funds": _sheet_funds, "institutions": _sheet_institutions, "breaches": _sheet_breaches,
    "settlements": _sheet_settlements, "oversight-cases": _sheet_oversight_cases,
    "listings": _sheet_listings, "credits": _sheet_credits}


@router.get("/supervision/export/{name}.xlsx")
def export(request: Request, name: str, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    """导出 one list of the supervision pages; logged like every export — as an export of
    personal data where the list names persons, else as a view (查询留痕)."""
    require(actor, "supervision.read")
    if name not in SHEETS:
        raise NotFound("supervision.list", f"没有名为 {name[:20]} 的监督清单", "name")
    sheet = SHEETS[name](db, actor, request)
    if sheet.personal:
        privacy.log_export(db, actor, f"supervision.{name}.xlsx", len(sheet.rows),
                           permission="supervision.read")
    else:
        audit.log_access(db, actor, f"export:supervision.{name}.xlsx", "supervision.export")
    content = workbook(sheet.title, sheet.headers, sheet.rows, money=sheet.money)
    return xlsx_response(content, f"监督查看_{sheet.title}_{clock.today():%Y%m%d}.xlsx")
