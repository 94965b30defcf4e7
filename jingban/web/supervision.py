"""The supervisor's view (行政监督, R§47): read-only pages over cases, deadlines, funds,
agreements, inspections and statistics, with charts. Every view is logged (查询留痕) and the
role reaches no write path (core.http.ReadOnlyRoles refuses each one)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements import overview as agreements_overview  # agrfin
from jingban.cases import catalog
from jingban.cases import rules as case_rules
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
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


@router.get("/supervision/cases")
def case_list(request: Request, status: Status | None = None,
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    require(actor, "cases.read")
    stmt = select(Case).order_by(Case.id.desc()).limit(200)
    rows = list(db.execute(stmt.where(Case.status == status) if status else stmt).scalars())
    return _seen(request, db, actor, "cases", rows=rows, shown_status=status,
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
    shown = []
    for fund, name in FUNDS.items():
        rows = fund_reports.series(db, actor, fund, last)
        if any(r["income"] or r["expense"] or r["reserve"] for r in rows):
            shown.append({"fund": fund, "name": name, **fund_charts(rows, name)})
    return _seen(request, db, actor, "funds", shown=shown, last=last)


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
    require(actor, "cases.read")
    codes = [code for code, item in catalog.load().items() if (item.act or "").startswith("oversight.")]
    rows = list(db.execute(select(Case).where(Case.item_code.in_(codes))
                           .order_by(Case.id.desc()).limit(200)).scalars())
    return _seen(request, db, actor, "inspections", rows=rows, names=_item_names(),
                 statuses=case_rules.STATUS_NAMES, credits=oversight.credits(db, actor, limit=200),
                 act_name=oversight.act_name, listings=dishonesty.listings(db, actor),
                 listing_statuses=dishonesty_rules.STATUSES)
