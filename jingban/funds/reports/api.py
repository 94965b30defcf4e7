"""Fund report endpoints under /api/v1/funds/reports, and the public disclosure (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import api_actor, get_db
from jingban.core.pdf import pdf_response
from jingban.funds.reports import export, service
from jingban.funds.reports.schemas import (
    DisclosureOut,
    FiledOut,
    FileIn,
    MonthlyReport,
    ReportState,
)

router = APIRouter(tags=["社会保险基金月报与信息公开 funds"])
Fund = Annotated[str, Query(max_length=24, description="险种基金")]
Period = Annotated[int, Query(ge=190001, le=299912, description="报告月份 YYYYMM")]
Year = Annotated[int, Path(ge=1900, le=2999, description="年度")]


def _report(db: Session, actor: Actor, fund: str, period: int, version_id: int | None):
    return (service.filed(db, actor, version_id, fund, period) if version_id
            else service.monthly_report(db, actor, fund, period))


@router.get("/funds/reports/monthly", response_model=MonthlyReport, summary="基金月报（按险种、月份）")
def monthly(fund: Fund, period: Period, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    return service.monthly_report(db, actor, fund, period)


@router.get("/funds/reports/monthly.xlsx", summary="基金月报（Excel）；report_id 为已报送的版本")
def monthly_xlsx(fund: Fund, period: Period, report_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
                 actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    report = _report(db, actor, fund, period, report_id)
    return xlsx_response(export.report_xlsx(report), export.filename(report, "xlsx"))


@router.get("/funds/reports/monthly.pdf", summary="基金月报（PDF）；report_id 为已报送的版本")
def monthly_pdf(fund: Fund, period: Period, report_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    report = _report(db, actor, fund, period, report_id)
    return pdf_response(export.report_pdf(report), export.filename(report, "pdf"))


@router.post("/funds/reports", status_code=201, response_model=FiledOut,
             summary="报送基金月报（每险种每月一次；更正后重报须写明理由）")
def file_report(data: FileIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.file_report(db, actor, data.fund, data.period, data.reason)


@router.get("/funds/reports", response_model=list[ReportState], summary="月报报送情况（按险种、月份）")
def listing(year: int = Query(ge=1900, le=2999, description="年度"),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.report_list(db, actor, year)


@router.post("/funds/reports/disclosures/{year}/publish", status_code=201,
             response_model=DisclosureOut, summary="公开已结账年度的基金信息")
def publish(year: Year, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.disclosure(db, service.publish_disclosure(db, actor, year).year)


@router.get("/public/funds", response_model=list[int], summary="已公开基金信息的年度（无需登录）")
def public_years(db: Session = Depends(get_db)):
    return service.disclosed_years(db)


@router.get("/public/funds/{year}", response_model=DisclosureOut,
            summary="年度社会保险基金信息公开（无需登录）")
def public_year(year: Year, db: Session = Depends(get_db)):
    return service.disclosure(db, year)
