"""Medical benefit endpoints under /api/v1 (thin): the reimbursement preview, a person's
manual claims, recognitions and year's payments, the decision PDF, the list's Excel export, and
the person's overview of every benefit. The claims themselves are cases (POST /cases, items
BEN-MEDICAL-MANUAL and BEN-MEDICAL-CHRONIC)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from jingban.benefits.medical import overview, service
from jingban.benefits.medical.schemas import LineDecisionIn, ManualClaimIn
from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.money import to_yuan
from jingban.core.pdf import pdf_response

router = APIRouter(tags=["待遇 benefits"])


@router.post("/benefits/medical/manual/preview",
             summary="医疗费用手工报销测算（按票据分割：起付线、目录类别、共付、年度封顶线；不写入）")
def preview(data: ManualClaimIn, ssn: str = Query(min_length=1, max_length=18),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    found = service.preview(db, actor, ssn, data)
    return {"ssn": found.person.ssn, "fund": found.fund, "year": found.year,
            "ytd_before_fen": found.ytd_before, "total_fen": found.total, "fund_fen": found.fund_fen,
            "person_fen": found.total - found.fund_fen, "cap_left_fen": found.cap_left,
            "bills": [b.as_dict() for b in found.bills],
            "flags": [{"invoice_no": no, "line_no": n, "flags": f} for (no, n), f in found.flags.items()]}


def _claim(claim) -> dict:
    return {"id": claim.id, "fund": claim.fund, "year": claim.year, "total": str(to_yuan(claim.total_fen)),
            "fund_paid": str(to_yuan(claim.fund_fen)), "person_paid": str(to_yuan(claim.person_fen)),
            "ytd_before": str(to_yuan(claim.ytd_before_fen)), "decided_on": claim.decided_on.isoformat(),
            "bills": json.loads(claim.bills)}


@router.get("/benefits/persons/{ssn}/medical",
            summary="参保人的医疗费用手工报销、门诊慢特病认定和本年度基金支付")
def record(ssn: str = PathParam(min_length=1, max_length=18), actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    found = service.record_of(db, actor, ssn)
    return {"ssn": found["person"].ssn, "claims": [_claim(c) for c, _ in found["claims"]],
            "chronic": [{"disease": c.disease, "name": name, "valid_from": c.valid_from.isoformat(),
                         "valid_to": c.valid_to.isoformat(), "status": c.status,
                         "ended_from": c.ended_from.isoformat() if c.ended_from else None,
                         "end_reason": c.end_reason}
                        for c, name in found["chronic"]],
            "years": [{k: (str(to_yuan(v)) if k in ("direct", "paid", "cap", "left") else v)
                       for k, v in y.items()} for y in found["years"]]}


@router.get("/benefits/medical/claims/{claim_id}/decision.pdf", summary="医疗费用手工报销决定书（PDF）")
def decision(claim_id: int, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return pdf_response(service.decision_pdf(db, actor, claim_id), f"手工报销决定书-{claim_id}.pdf")


@router.get("/benefits/medical/claims.xlsx", summary="医疗费用手工报销清单（Excel）")
def claims_xlsx(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.claims_xlsx(db, actor), "医疗费用手工报销.xlsx")


@router.get("/benefits/persons/{ssn}/overview",
            summary="参保人全部待遇一览：构成、已领和剩余月数、发放与停发；失业、生育待遇申领前测算")
def benefits_overview(ssn: str = PathParam(min_length=1, max_length=18), actor: Actor = Depends(api_actor),
                      db: Session = Depends(get_db)):
    found = overview.overview(db, actor, ssn)
    unemployment, maternity = found["unemployment_estimate"], found["maternity_estimate"]
    return {"ssn": found["person"].ssn, "name": found["person"].name,
            "benefits": [{"id": row["award"].id, "kind": row["award"].kind, "name": row["name"],
                          "status": row["status"],
                          "monthly_amount": str(to_yuan(row["award"].monthly_amount)),
                          "start_period": row["award"].start_period, "last_period": row["award"].last_period,
                          "months_used": row["used"], "months_left": row["left"],
                          "paid": str(to_yuan(row["paid"])), "pending": str(to_yuan(row["pending"])),
                          "lines": row["lines"],
                          "payments": [{"period": p.period, "kind": p.kind, "net": str(to_yuan(p.net)),
                                        "sent": p.run_id is not None} for p in row["payments"]],
                          "stops": [{"kind": e.kind, "reason": e.reason,
                                     "event_date": e.event_date.isoformat(),
                                     "effective_period": e.effective_period} for e in row["events"]]}
                         for row in found["awards"]],
            "medical_year": [{"fund": y["fund"], "year": y["year"], "paid": str(to_yuan(y["paid"])),
                              "cap": str(to_yuan(y["cap"])), "left": str(to_yuan(y["left"]))}
                             for y in found["medical"]["years"]],
            "unemployment_estimate": unemployment.model_dump() if unemployment else None,
            "maternity_estimate": maternity.model_dump() if maternity else None}


@router.get("/benefits/medical/cases/{case_id}/flags",
            summary="手工报销业务件的审核疑点明细（郑人社〔2016〕27号 第六部分）及审核结论")
def flags(case_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return {"case_id": case_id, "lines": service.pending_flags(db, actor, case_id)}


@router.post("/benefits/medical/cases/{case_id}/lines",
             summary="审核人对手工报销疑点明细作出认可、核减或拒付（须写明理由）")
def decide_line(data: LineDecisionIn, case_id: RowId, actor: Actor = Depends(api_actor),
                db: Session = Depends(get_db)):
    row = service.decide_line(db, actor, case_id, data)
    return {"invoice_no": row.invoice_no, "line_no": row.line_no, "decision": row.decision,
            "cut_fen": row.cut_fen, "reason": row.reason, "decided_by": row.decided_by}
