"""Endpoints of institutions, agreements and breach handling under /api/v1 (R§33, R§43).

The lifecycle cases (AGR-APPLY, AGR-REVIEW, AGR-SIGN, AGR-RENEW, AGR-EVALUATE) are taken in
through the case engine's own endpoint (POST /api/v1/cases); these endpoints read the results,
import the price list, and carry the breach steps up to their decision case."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel
from sqlalchemy.orm import Session

from jingban.agreements.breaches import service as breaches
from jingban.agreements.breaches.export import decision_pdf
from jingban.agreements.breaches.schemas import (
    BreachOut,
    NoticeIn,
    ReasonIn,
    RepaymentIn,
    RepaymentOut,
    StatementIn,
)
from jingban.agreements.institutions import prices, reads
from jingban.agreements.institutions.schemas import (
    AgreementOut,
    DepartmentOut,
    InstitutionOut,
    PriceOut,
)
from jingban.agreements.institutions.service import by_uscc, price_list
from jingban.cases.api import case_out
from jingban.cases.schemas import CaseOut
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.pdf import pdf_response

router = APIRouter(tags=["服务协议 agreements"])
MAX_FILE_BYTES = 10 * 1024 * 1024
Status = Literal["applied", "reviewed", "rejected", "contracted", "suspended", "terminated", "expired"]


class InstitutionDetail(InstitutionOut):
    departments: list[DepartmentOut]
    agreements: list[AgreementOut]


class HistoryLine(BaseModel):
    on: dt.date
    step: str
    name: str
    note: str
    by: str
    ref: str


class BadRowOut(BaseModel):
    line: int
    field: str
    message: str


class ImportOut(BaseModel):
    imported: int
    unchanged: int
    bad: list[BadRowOut]


@router.get("/agreements/institutions", response_model=list[InstitutionOut], summary="服务机构列表")
def institutions(status: Status | None = None, kind: str | None = Query(default=None, max_length=16),
                 q: str | None = Query(default=None, max_length=100),
                 actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return reads.institutions(db, actor, status, kind, q)


@router.get("/agreements/institutions.xlsx", summary="服务机构列表（Excel）")
def institutions_sheet(status: Status | None = None, actor: Actor = Depends(api_actor),
                       db: Session = Depends(get_db)):
    rows = reads.institutions(db, actor, status)
    return xlsx_response(reads.sheet(db, actor, rows), "service-institutions.xlsx")


@router.get("/agreements/institutions/by-uscc/{uscc}", response_model=InstitutionOut,
            summary="按统一社会信用代码查找服务机构")
def institution_by_uscc(uscc: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    require(actor, "agreements.read")
    return by_uscc(db, uscc[:40])


@router.get("/agreements/institutions/{institution_id}", response_model=InstitutionDetail,
            summary="服务机构（科室、协议）")
def institution(institution_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    row = reads.institution(db, actor, institution_id)
    return InstitutionDetail.model_validate({
        **InstitutionOut.model_validate(row).model_dump(),
        "departments": [DepartmentOut.model_validate(d) for d in reads.departments(db, row.id)],
        "agreements": [AgreementOut.model_validate(a) for a in reads.agreements(db, row.id)]})


@router.get("/agreements/institutions/{institution_id}/history", response_model=list[HistoryLine],
            summary="服务机构档案（申请、评估、协议、考核、违约处理）")
def history(institution_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    reads.institution(db, actor, institution_id)
    return reads.history(db, actor, institution_id)


@router.get("/agreements/institutions/{institution_id}/prices", response_model=list[PriceOut],
            summary="某日执行的价格目录")
def prices_on(institution_id: RowId, on: dt.date | None = None, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    reads.institution(db, actor, institution_id)
    return list(price_list(db, institution_id, on or clock.today()).values())


@router.post("/agreements/institutions/{institution_id}/prices", response_model=ImportOut,
             summary="导入价格目录（CSV UTF-8/GBK 或 Excel）",
             description="列：项目编码、项目名称、单位、单价（元）、类别（甲/乙/丙）、自付比例（%）、每日限量、"
                         "限性别（1男/2女）、最小年龄、最大年龄、生效日期、失效日期。错误行逐行列出，其余导入。")
def import_prices(institution_id: RowId, file: UploadFile = File(description="价格目录文件"),
                  actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = file.file.read(MAX_FILE_BYTES + 1)
    result = prices.import_prices(db, actor, institution_id, file.filename or "", content)
    return ImportOut(imported=result.imported, unchanged=result.unchanged,
                     bad=[BadRowOut(line=b.line, field=b.field, message=b.message) for b in result.bad])


@router.get("/agreements/breaches", response_model=list[BreachOut], summary="违约处理")
def breach_list(institution_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
                status: Literal["noticed", "stated", "deciding", "decided", "dropped"] | None = None,
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return breaches.breaches(db, actor, institution_id, status)


@router.post("/agreements/breaches", status_code=201, response_model=BreachOut,
             summary="违约处理告知（R§43，陈述申辩权利）")
def notice(data: NoticeIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return breaches.serve_notice(db, actor, data)


@router.post("/agreements/breaches/{breach_id}/statement", response_model=BreachOut, summary="记录陈述申辩")
def statement(breach_id: RowId, data: StatementIn, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return breaches.record_statement(db, actor, breach_id, data)


@router.post("/agreements/breaches/{breach_id}/drop", response_model=BreachOut, summary="不予处理")
def drop(breach_id: RowId, data: ReasonIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return breaches.drop(db, actor, breach_id, data.reason)


@router.post("/agreements/breaches/{breach_id}/decision", status_code=201, response_model=CaseOut,
             summary="提请违约处理决定（AGR-BREACH）")
def decision(breach_id: RowId, data: ReasonIn, actor: Actor = Depends(api_actor),
             db: Session = Depends(get_db)):
    require(actor, "agreements.manage")
    return case_out(db, breaches.submit_decision(db, actor, breach_id, data.reason))


@router.post("/agreements/breaches/{breach_id}/repayments", status_code=201,
             response_model=RepaymentOut, summary="登记违约追回款到账（记入基金账）")
def repayment(breach_id: RowId, data: RepaymentIn, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return breaches.record_repayment(db, actor, breach_id, data)


@router.get("/agreements/breaches/{breach_id}/repayments", response_model=list[RepaymentOut],
            summary="违约追回款到账记录")
def repayment_list(breach_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return breaches.repayments(db, actor, breach_id)


@router.get("/agreements/breaches/{breach_id}/pdf", summary="违约处理告知书或决定书（PDF）")
def breach_pdf(breach_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content, filename = decision_pdf(db, actor, breach_id)
    return pdf_response(content, filename)
