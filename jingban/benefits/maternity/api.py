"""Maternity endpoints under /api/v1 (thin): the pregnancy record, the allowance estimate, a
person's maternity allowances and the list's Excel export. The claim is a case (POST /cases,
item BEN-MATERNITY)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from jingban.benefits.maternity import export, service
from jingban.benefits.maternity.schemas import MaternityPreview, PregnancyIn
from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.money import to_yuan
from jingban.core.pdf import pdf_response

router = APIRouter(tags=["待遇 benefits"])


@router.post("/benefits/persons/{ssn}/pregnancy", summary="生育登记（本人或经办人代办）")
def pregnancy(data: PregnancyIn, ssn: str = PathParam(min_length=1, max_length=18),
              actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    found = service.register_pregnancy(db, actor, ssn, data)
    return {"id": found.id, "registered_on": found.registered_on.isoformat(),
            "expected_on": found.expected_on.isoformat(), "status": found.status}


@router.get("/benefits/maternity/preview", response_model=MaternityPreview,
            summary="生育津贴测算（申领前预估：天数、上年度月平均工资、金额，不写入）")
def preview(ssn: str = Query(min_length=1, max_length=18),
            birth_date: dt.date | None = Query(default=None, description="分娩日期，默认预产期"),
            babies: int = Query(default=1, ge=1, le=9), difficult_birth: bool = Query(default=False),
            birth_order: int = Query(default=1, ge=1, le=9, description="本次生育为第几孩"),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.preview(db, actor, ssn, birth_date, babies, difficult_birth, birth_order)


@router.get("/benefits/persons/{ssn}/maternity", summary="参保人的生育登记和生育津贴")
def record(ssn: str = PathParam(min_length=1, max_length=18), actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    found = service.record_of(db, actor, ssn)
    return {"ssn": found["person"].ssn,
            "pregnancies": [{"id": p.id, "expected_on": p.expected_on.isoformat(), "status": p.status}
                            for p in found["pregnancies"]],
            "allowances": [{"id": a.id, "amount": str(to_yuan(a.monthly_amount)), "period": a.start_period,
                            "decided_on": a.decided_on.isoformat(), "lines": lines}
                           for a, lines in found["awards"]]}


@router.get("/benefits/maternity/awards.xlsx", summary="生育津贴清单（Excel）")
def awards_xlsx(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.awards_xlsx(db, actor), "生育津贴.xlsx")


@router.get("/benefits/maternity/awards/{award_id}/decision.pdf", summary="生育津贴核定决定书（PDF）")
def decision(award_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return pdf_response(*export.decision_pdf(db, actor, award_id))
