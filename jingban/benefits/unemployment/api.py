"""Unemployment benefit endpoints under /api/v1 (thin): the determination preview (the
person's own estimate too), a person's unemployment benefit, refusals of suitable work, the
list and its Excel export. The claim itself is a case (POST /cases, item BEN-UNEMPLOYMENT)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from jingban.benefits.unemployment import batch, service
from jingban.benefits.unemployment.export import decision_pdf
from jingban.benefits.unemployment.schemas import RefusalIn, UnemploymentPreview
from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.money import to_yuan
from jingban.core.pdf import pdf_response

router = APIRouter(tags=["待遇 benefits"])


@router.get("/benefits/unemployment/preview", response_model=UnemploymentPreview,
            summary="失业保险金核定测算（申领前预估：资格、期限、月标准，不写入）")
def preview(ssn: str = Query(min_length=1, max_length=18, description="社会保障号码"),
            registration_date: dt.date | None = Query(default=None, description="失业登记日期，默认今天"),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.preview(db, actor, ssn, registration_date)


@router.get("/benefits/persons/{ssn}/unemployment",
            summary="参保人的失业保险金：期限、已领和剩余月数、发放与停发")
def record(ssn: str = PathParam(min_length=1, max_length=18), actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    found = service.record_of(db, actor, ssn)
    return {"ssn": found["person"].ssn, "name": found["person"].name,
            "awards": [_award(row) for row in found["awards"]]}


def _award(row: dict) -> dict:
    award = row["award"]
    return {"id": award.id, "status": award.status, "start_period": award.start_period,
            "last_period": award.last_period, "monthly": str(to_yuan(award.monthly_amount)),
            "entitled_months": row["entitled"], "used_months": row["used"],
            "left_months": row["left"], "stop_reason": award.stop_reason, "lines": row["lines"],
            "payments": [{"period": p.period, "kind": p.kind, "gross": str(to_yuan(p.gross)),
                          "net": str(to_yuan(p.net)), "sent": p.run_id is not None}
                         for p in row["payments"]],
            "events": [{"kind": e.kind, "reason": e.reason, "event_date": e.event_date.isoformat(),
                        "effective_period": e.effective_period, "source": e.source}
                       for e in row["events"]]}


@router.get("/benefits/unemployment/awards/{award_id}/pdf", summary="失业保险金核定决定书（PDF）")
def award_pdf(award_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content, filename = decision_pdf(db, actor, award_id)
    return pdf_response(content, filename)


@router.post("/benefits/persons/{ssn}/unemployment/refusals",
             summary="登记无正当理由拒不接受推荐的工作或培训（第二次即停发）")
def refusal(data: RefusalIn, ssn: str = PathParam(min_length=1, max_length=18),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    event = service.record_refusal(db, actor, ssn, data)
    return {"id": event.id, "award_id": event.award_id, "refused_on": event.event_date.isoformat()}


@router.get("/benefits/unemployment/awards.xlsx", summary="失业保险金待遇清单（Excel）")
def awards_xlsx(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.awards_xlsx(db, actor), "失业保险金.xlsx")


# --- 稳岗返还 ---------------------------------------------------------------------------------------

@router.post("/benefits/unemployment/stabilisation/{year}",
             summary="核定稳岗返还（按上年度失业保险费，未裁员的参保企业；可重复执行，不重复核定）")
def stabilisation_run(year: int = PathParam(ge=2000, le=2999), actor: Actor = Depends(api_actor),
                      db: Session = Depends(get_db)):
    made = batch.stabilisation_refunds(db, actor, year)
    return {"year": year, "refunds": len(made), "amount": str(to_yuan(sum(r.amount for r in made)))}


@router.get("/benefits/unemployment/stabilisation", summary="稳岗返还清单")
def stabilisation_list(year: int | None = Query(default=None, ge=2000, le=2999),
                       actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [{"year": r.year, "uscc": e.uscc, "name": e.name, "size": r.size, "staff": r.staff,
             "contributions": str(to_yuan(r.contributions)), "rate": r.rate,
             "amount": str(to_yuan(r.amount)), "decided_on": r.decided_on.isoformat()}
            for r, e in batch.refunds(db, actor, year)]


@router.get("/benefits/unemployment/stabilisation.xlsx", summary="稳岗返还清单（Excel）")
def stabilisation_xlsx(year: int | None = Query(default=None, ge=2000, le=2999),
                       actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(batch.refunds_xlsx(db, actor, year), "稳岗返还.xlsx")
