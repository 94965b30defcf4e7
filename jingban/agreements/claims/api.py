"""Claims endpoints under /api/v1/claims (thin): upload, review, decisions, settlements and the
institution's own view and objection."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from sqlalchemy.orm import Session

from jingban.agreements.claims import service, settlement, upload
from jingban.agreements.claims.schemas import (
    CaseRef,
    CutOut,
    DecisionIn,
    DecisionOut,
    FlagOut,
    ObjectionRequest,
    ReviewIn,
    RunOut,
    SettlementOut,
    SettleRequest,
    UploadOut,
)
from jingban.cases.models import Case
from jingban.core.actor import Actor
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.money import parse_yuan

router = APIRouter(tags=["医疗费用结算 claims"])
Period = Query(ge=200001, le=210012, description="结算月份 YYYYMM")


def upload_out(row) -> UploadOut:
    fields = {k: getattr(row, k) for k in UploadOut.model_fields if k != "problems"}
    return UploadOut(**fields, problems=service.problems_of(row))


def case_ref(case: Case) -> CaseRef:
    return CaseRef(case_id=case.id, case_number=case.number, item_code=case.item_code,
                   status=case.status)


def settlement_out(db: Session, row) -> SettlementOut:
    return SettlementOut.model_validate(row).model_copy(update={"cuts": [
        CutOut.model_validate(c) for c in settlement.cut_lines(db, row.id)]})


@router.post("/claims/uploads", status_code=201, response_model=UploadOut,
             summary="上传定点机构月度结算单（CSV/JSON，UTF-8 或 GBK；同一文件只处理一次）")
def post_upload(period: int = Form(ge=200001, le=210012),
                institution_id: int | None = Form(default=None, ge=1, le=2**31 - 1),
                file: UploadFile = File(description="结算单文件"),
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = file.file.read(upload.MAX_FILE_BYTES + 1)
    row = service.upload_claims(db, actor, institution_id, period, file.filename or "", content)
    return upload_out(row)


@router.get("/claims/uploads", response_model=list[UploadOut], summary="结算单上传批次")
def get_uploads(institution_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [upload_out(r) for r in service.uploads(db, actor, institution_id)]


@router.post("/claims/reviews", status_code=201, response_model=RunOut, summary="运行月度审核")
def post_review(body: ReviewIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    run = service.run_review(db, actor, body.period)
    fields = {k: getattr(run, k) for k in RunOut.model_fields if k != "hits"}
    return RunOut(**fields, hits=json.loads(run.hits))


@router.get("/claims/flags", response_model=list[FlagOut], summary="审核疑点明细")
def get_flags(period: int = Period, institution_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
              undecided: bool = False, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return service.flagged(db, actor, period, institution_id=institution_id, undecided=undecided)


@router.get("/claims/flags.xlsx", summary="审核结果（Excel）")
def get_flags_xlsx(period: int = Period,
                   institution_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
                   actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.flagged_xlsx(db, actor, period, institution_id), f"审核结果{period}.xlsx")


@router.post("/claims/lines/{line_id}/decision", response_model=DecisionOut, summary="疑点明细审核结论")
def post_decision(line_id: RowId, body: DecisionIn, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    cut = parse_yuan(body.cut, "cut") if body.cut else None
    return service.decide_line(db, actor, line_id, body.decision, cut, body.reason)


@router.post("/claims/settlements", status_code=201, response_model=CaseRef,
             summary="提交月度结算（或补充结算）审核")
def post_settlement(body: SettleRequest, actor: Actor = Depends(api_actor),
                    db: Session = Depends(get_db)):
    return case_ref(settlement.prepare(db, actor, body.institution_id, body.fund, body.period,
                                       body.supplementary))


@router.get("/claims/settlements", response_model=list[SettlementOut], summary="月度结算")
def get_settlements(institution_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
                    actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [settlement_out(db, r) for r in settlement.settlements(db, actor, institution_id)]


@router.get("/claims/settlements/{settlement_id}", response_model=SettlementOut, summary="结算及核减明细")
def get_settlement(settlement_id: RowId, actor: Actor = Depends(api_actor),
                   db: Session = Depends(get_db)):
    return settlement_out(db, settlement.visible(db, actor, settlement_id))


@router.post("/claims/settlements/{settlement_id}/release", response_model=SettlementOut,
             summary="解除暂停、拨付结算款")
def post_release(settlement_id: RowId, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return settlement_out(db, settlement.release(db, actor, settlement_id))


@router.post("/claims/settlements/{settlement_id}/objection", status_code=201, response_model=CaseRef,
             summary="机构对核减、拒付明细提出异议")
def post_objection(settlement_id: RowId, body: ObjectionRequest, response: Response,
                   actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return case_ref(settlement.object_to(db, actor, settlement_id, body.line_ids, body.reason))
