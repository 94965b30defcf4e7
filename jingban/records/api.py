"""Records endpoints under /api/v1 — thin: HTTP in, service call, HTTP out."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from pydantic import Field
from sqlalchemy.orm import Session

from jingban.cases.api import submit_for
from jingban.cases.schemas import CaseOut
from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.money import to_yuan
from jingban.records import rules, service
from jingban.records.models import ContributionBatch, ContributionReject
from jingban.records.schemas import (
    AccountYearOut,
    ArrearsOut,
    BalanceOut,
    BatchDetail,
    BatchOut,
    BatchReceipt,
    ContributionOut,
    DeemedOut,
    DeemedServiceCreate,
    EntryOut,
    InterestRunOut,
    InterestRunRequest,
    RecordCorrection,
    RejectOut,
    RightsRecord,
    RowProblem,
    StaffOut,
    TransferLineOut,
    YearLine,
    YearsOut,
)
from jingban.registration.api import RequestId, enrollment_out

router = APIRouter(tags=["缴费与权益记录 records"])


def _yuan(fen: int | None):
    return None if fen is None else to_yuan(fen)


def problem_out(row: ContributionReject) -> RowProblem:
    return RowProblem(line=row.line, status=row.status, record_id=row.record_id,
                      code=row.error_code, message=row.error_message, field=row.error_field)


def receipt_out(db: Session, item: ContributionBatch) -> BatchReceipt:
    summary = BatchOut.model_validate(item).model_dump()
    return BatchReceipt(**summary, repeat=item.repeat,
                        problems=[problem_out(r) for r in service.problems_of(db, item)])


@router.post("/contributions/imports", status_code=201, response_model=BatchReceipt,
             summary="导入征收机构缴费数据（CSV 或 JSON，UTF-8 或 GBK）",
             description="列：record_id, uscc（灵活就业为空）, ssn, insurance, period(YYYYMM), base, "
                         "employer_amount, personal_amount（元）, paid_on（为空表示欠费）。"
                         "同一文件重复导入返回原批次（200，repeat=true），不重复入账。")
def import_file(response: Response, file: UploadFile = File(description="征收数据文件"),
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = file.file.read(rules.MAX_FILE_BYTES + 1)
    item = service.import_contributions(db, actor, filename=file.filename or "", content=content)
    if item.repeat:
        response.status_code = 200
    return receipt_out(db, item)


@router.get("/contributions/imports", response_model=list[BatchOut], summary="缴费数据批次列表")
def list_imports(limit: int = Query(default=50, ge=1, le=500), actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return service.list_batches(db, actor, limit)


@router.get("/contributions/imports/{batch_id}", response_model=BatchDetail,
            summary="缴费数据批次及未入账行（含原始内容）")
def read_import(batch_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    item, rows = service.get_batch(db, actor, batch_id)
    summary = BatchOut.model_validate(item).model_dump()
    return BatchDetail(**summary, rows=[RejectOut(**problem_out(r).model_dump(), raw=r.raw)
                                        for r in rows])


@router.post("/accounts/interest-runs", status_code=201, response_model=list[InterestRunOut],
             summary="个人账户年度计息（按公布的记账利率）",
             description="每个险种每年度只计息一次；重复提交返回已有结果（200）。")
def interest_run(data: InterestRunRequest, response: Response, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    runs = service.credit_interest(db, actor, data.year)
    if all(repeat for _, repeat in runs):
        response.status_code = 200
    return [InterestRunOut(scheme=r.scheme, year=r.year, rate=r.rate, persons=r.persons,
                           interest=to_yuan(r.interest), repeat=repeat) for r, repeat in runs]


def rights_out(record: dict) -> RightsRecord:
    entry_reversed, notes = record["entry_reversed_by"], record["contribution_notes"]
    return RightsRecord(
        ssn=record["ssn"], name=record["name"],
        enrollments=[enrollment_out(e) for e in record["enrollments"]],
        by_year=[YearLine(**{**y, **{k: _yuan(y[k]) for k in ("base_min", "base_max",
                                                               "employer_total", "personal_total")}})
                 for y in record["by_year"]],
        contributions=[ContributionOut(
            id=c.id, kind=c.kind, reverses_id=c.reverses_id, reversed_by_id=by,
            insurance=c.insurance, period=c.period,
            employer_uscc=None if c.transfer_in_ref else uscc, base=_yuan(c.base),
            employer_amount=to_yuan(c.employer_amount), personal_amount=to_yuan(c.personal_amount),
            paid_on=c.paid_on, record_id=c.record_id, case_id=c.case_id,
            transfer_out_ref=c.transfer_out_ref, transfer_in_ref=c.transfer_in_ref,
            note=notes.get(c.id, ""))
            for c, uscc, by in record["contributions"]],
        transfers=[TransferLineOut(**{**t, "amount": to_yuan(t["amount"])})
                   for t in record["transfers"]],
        balances=[BalanceOut(scheme=b["scheme"], balance=to_yuan(b["balance"]))
                  for b in record["balances"]],
        accounts=[AccountYearOut(scheme=a.scheme, year=a.year, opening=to_yuan(a.opening),
                                 credited=to_yuan(a.credited), interest=to_yuan(a.interest),
                                 closing=to_yuan(a.closing), rate=a.rate)
                  for a in record["accounts"]],
        entries=[EntryOut(id=e.id, scheme=e.scheme, year=e.year, kind=e.kind,
                          amount=to_yuan(e.amount), period=e.period,
                          contribution_id=e.contribution_id, reverses_id=e.reverses_id,
                          reversed_by_id=entry_reversed.get(e.id), case_id=e.case_id)
                 for e in record["entries"]],
        contribution_years=[YearsOut(**y) for y in record["contribution_years"]],
        deemed=[DeemedOut.model_validate(d) for d in record["deemed"]])


@router.get("/persons/{ssn}/rights", response_model=RightsRecord,
            summary="个人权益记录（参保、缴费、个人账户、缴费年限；留痕）")
def read_rights(ssn: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return rights_out(service.rights(db, actor, ssn))


class DeemedRequest(DeemedServiceCreate):
    materials: list[str] = Field(default_factory=list, description="已提交的材料编码")


class CorrectionRequest(RecordCorrection):
    materials: list[str] = Field(default_factory=list, description="已提交的材料编码")


@router.post("/persons/{ssn}/deemed-service", status_code=202, response_model=CaseOut,
             summary="视同缴费年限认定（事项 REC-DEEMED-YEARS，三级审核）")
def deemed_service(ssn: str, data: DeemedRequest, actor: Actor = Depends(api_actor),
                   db: Session = Depends(get_db), request_id: str | None = RequestId):
    return submit_for(db, actor, "REC-DEEMED-YEARS", {"ssn": ssn}, data, request_id)


@router.post("/persons/{ssn}/record-corrections", status_code=202, response_model=CaseOut,
             summary="缴费记录或个人账户冲正（事项 REC-CORRECTION，三级审核）")
def record_correction(ssn: str, data: CorrectionRequest, actor: Actor = Depends(api_actor),
                      db: Session = Depends(get_db), request_id: str | None = RequestId):
    return submit_for(db, actor, "REC-CORRECTION", {"ssn": ssn}, data, request_id)


@router.get("/employers/{uscc}/staff", response_model=list[StaffOut],
            summary="单位在保职工及其缴费基数")
def employer_staff(uscc: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [StaffOut(**{**s, "contribution_base": _yuan(s["contribution_base"])})
            for s in service.staff(db, actor, uscc)]


@router.get("/employers/{uscc}/arrears", response_model=list[ArrearsOut],
            summary="单位欠费明细（?format=csv 导出给征收机构）")
def employer_arrears(uscc: str, format: Literal["json", "csv"] = Query(default="json"),
                     actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    rows = service.arrears(db, actor, uscc)
    if format == "csv":
        return Response(service.arrears_csv(uscc, rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="arrears-{uscc.strip().upper()}.csv"'})
    money = ("base", "employer_amount", "personal_amount", "total")
    return [ArrearsOut(**{**r, **{k: _yuan(r[k]) for k in money}}) for r in rows]
