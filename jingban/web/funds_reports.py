"""Fund report pages: the dashboard (资金看板), the monthly reports with their filing state,
one report with its versions, downloads and filing form, the disclosure's publishing, and the
public disclosure pages (no login) — the same service as the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import get_db
from jingban.core.pdf import pdf_response
from jingban.funds.ledger.rules import BANK_KINDS, FUNDS, period_of
from jingban.funds.reconciliation import service as reconciliation
from jingban.funds.reports import export, rules, service
from jingban.web import charts
from jingban.web.pages import page_actor, posted, render, see_other

router = APIRouter()
Period = Annotated[int, Path(ge=190001, le=299912)]
Year = Annotated[int, Path(ge=1900, le=2999)]
NAMES = {"funds": FUNDS, "banks": BANK_KINDS, "states": rules.STATES}


def _label(period: int) -> str:
    return f"{period % 100}月" if period % 100 != 1 else f"{period // 100}年1月"


def fund_charts(rows: list[dict[str, Any]], fund_name: str) -> dict[str, Any]:
    """The three charts of one fund's months."""
    labels = [_label(r["period"]) for r in rows]
    threshold = rows[-1]["warn_below"]
    return {
        "flow": charts.bar_chart(f"{fund_name}：按月收入与支出", labels,
                                 [("收入", [r["income"] for r in rows]),
                                  ("支出", [r["expense"] for r in rows])]),
        "balance": charts.line_chart(f"{fund_name}：银行存款月末余额", labels,
                                     [("月末余额", [r["reserve"] for r in rows])]),
        "reserve": charts.line_chart(
            f"{fund_name}：累计结余可支付月数", labels,
            [("可支付月数", [r["reserve_months"] for r in rows])],
            label=charts.months_label, unit="个月", threshold=("储备要求", threshold)),
        "last": rows[-1]}


@router.get("/funds")
def dashboard(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    last = period_of(clock.today())
    shown = []
    for fund, name in FUNDS.items():
        rows = service.series(db, actor, fund, last)
        if any(r["income"] or r["expense"] or r["reserve"] for r in rows):
            shown.append({"fund": fund, "name": name, **fund_charts(rows, name)})
    return render(request, "funds_dashboard.html", shown=shown, last=last,
                  flags=reconciliation.flags(db, actor, clock.today().year),
                  pending=service.pending(db, actor), **NAMES)


def _list(request: Request, db: Session, actor: Actor, year: int, status: int = 200, **context):
    return render(request, "funds_reports.html", status=status, year=year,
                  rows=service.report_list(db, actor, year), years=service.disclosed_years(db),
                  **NAMES, **context)


@router.get("/funds/reports")
def listing(request: Request, year: int | None = Query(default=None, ge=1900, le=2999),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _list(request, db, actor, year or rules.last_ended_period(clock.today()) // 100)


def _report(request: Request, db: Session, actor: Actor, fund: str, period: int,
            status: int = 200, **context):
    report = service.monthly_report(db, actor, fund, period)
    return render(request, "funds_report.html", status=status, report=report,
                  rows=export.rows(report), months=export.months_text(report),
                  warning=export.warning_text(report),
                  versions=service.versions(db, fund, period), **NAMES, **context)


@router.get("/funds/reports/{fund}/{period}")
def one(request: Request, fund: str, period: Period, actor: Actor = Depends(page_actor),
        db: Session = Depends(get_db)):
    return _report(request, db, actor, fund, period)


@router.post("/funds/reports/{fund}/{period}")
def file_report(request: Request, fund: str, period: Period, values: dict = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        row = service.file_report(db, actor, fund, period, str(values.get("reason") or ""))
    except JingbanError as exc:
        db.rollback()
        return _report(request, db, actor, fund, period, status=exc.status, error=exc,
                       form="file", values=values)
    notice = f"月报已报送（第 {row.version} 版）" + ("，晚于报送截止日" if row.late else "")
    return see_other(f"/funds/reports/{fund}/{period}", notice, request)


def _download(db: Session, actor: Actor, fund: str, period: int, version: int | None):
    return (service.filed(db, actor, version, fund, period) if version
            else service.monthly_report(db, actor, fund, period))


@router.get("/funds/reports/{fund}/{period}/report.xlsx")
def report_xlsx(fund: str, period: Period, version: int | None = Query(default=None, ge=1, le=2**31 - 1),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    report = _download(db, actor, fund, period, version)
    return xlsx_response(export.report_xlsx(report), export.filename(report, "xlsx"))


@router.get("/funds/reports/{fund}/{period}/report.pdf")
def report_pdf(fund: str, period: Period, version: int | None = Query(default=None, ge=1, le=2**31 - 1),
               actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    report = _download(db, actor, fund, period, version)
    return pdf_response(export.report_pdf(report), export.filename(report, "pdf"))


@router.post("/funds/disclosures")
def publish(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
            db: Session = Depends(get_db)):
    text = str(values.get("year") or "").strip()
    year = int(text) if text.isdigit() and len(text) == 4 else 0
    try:
        service.publish_disclosure(db, actor, year)
    except JingbanError as exc:
        db.rollback()
        return _list(request, db, actor, rules.last_ended_period(clock.today()) // 100,
                     status=exc.status, error=exc, form="publish", values=values)
    return see_other(f"/public/funds/{year}", f"{year} 年度基金信息已公开", request)


# --- public (no login) ------------------------------------------------------------------------------

@router.get("/public/funds")
def public_years(request: Request, db: Session = Depends(get_db)):
    return render(request, "public_funds.html", years=service.disclosed_years(db), shown=None)


@router.get("/public/funds/{year}")
def public_year(request: Request, year: Year, db: Session = Depends(get_db)):
    return render(request, "public_funds.html", years=service.disclosed_years(db),
                  shown=service.disclosure(db, year))
