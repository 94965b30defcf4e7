"""Enrollment registry endpoints under /api/v1/enrollment (thin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.errors import NotFound
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, api_actor, get_db, settings
from jingban.core.pdf import pdf_response
from jingban.enrollment import batch, rules, service, survey
from jingban.enrollment.models import RegistryEntry
from jingban.enrollment.schemas import (
    CollectIn,
    DecisionIn,
    Dimension,
    EntryDetail,
    FileDetail,
    FileOut,
    FlagKind,
    ListedEntry,
    PairOut,
    RecordOut,
    RejectedRow,
    ReviewIn,
    RunOut,
    Source,
    Statistics,
    SurveyItemOut,
    SurveyListIn,
    SurveyListOut,
    TeamIn,
)

router = APIRouter(tags=["全民参保登记 enrollment"])


def detail(db: Session, actor: Actor, entry: RegistryEntry) -> EntryDetail:
    base = EntryDetail.model_validate({**{c: getattr(entry, c) for c in EntryDetail.model_fields
                                          if hasattr(entry, c) and c != "sources"},
                                       "sources": service.entry_sources(entry),
                                       "flags": service.flags_of(db, actor, entry.id),
                                       "prompt_fields": service.prompt_fields(db, entry)})
    return base


def file_detail(db: Session, actor: Actor, file_id: int) -> FileDetail:
    upload, bad = service.get_file(db, actor, file_id)
    rows = [RejectedRow(line=r.line, code=r.error_code, message=r.error_message, field=r.error_field)
            for r in bad]
    return FileDetail(**FileOut.model_validate(upload).model_dump(), rejected_rows=rows)


@router.post("/enrollment/files", status_code=201, response_model=FileDetail,
             summary="上传全民参保登记来源文件（公安、民政、卫健、教育、税务、市场监管、上级登记库）",
             description="CSV（首行为表头，UTF-8）或 JSON 对象数组；列为 " + "、".join(rules.COLUMNS)
                         + "。有错误的行列出，其余照常接收；同一文件重复上传返回原文件。")
def upload(source: Source = Form(), file: UploadFile = File(description="来源文件"),
           actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = file.file.read(rules.MAX_FILE_BYTES + 1)
    received = service.receive_file(db, actor, source=source, filename=file.filename or "",
                                    content=content)
    return file_detail(db, actor, received.id)


@router.get("/enrollment/files", response_model=list[FileOut], summary="来源文件列表")
def files(limit: int = Query(default=50, ge=1, le=500), actor: Actor = Depends(api_actor),
          db: Session = Depends(get_db)):
    return service.list_files(db, actor, limit)


@router.get("/enrollment/files/{file_id}", response_model=FileDetail, summary="来源文件及其错误行")
def one_file(file_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return file_detail(db, actor, file_id)


@router.post("/enrollment/runs", status_code=201, response_model=RunOut, summary="运行信息比对")
def link(actor: Actor = Depends(api_actor), db: Session = Depends(get_db),
         config=Depends(settings)):
    return batch.run(db, actor, config)


@router.get("/enrollment/runs", response_model=list[RunOut], summary="比对批次")
def runs(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.runs(db, actor)


@router.get("/enrollment/pairs", response_model=list[PairOut], summary="待确认的疑似同一人")
def pairs(status: str | None = Query(default="open", pattern="^(open|same|different)$"),
          actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [pair_out(item) for item in service.review_pairs(db, actor, status)]


def pair_out(item: dict) -> PairOut:
    pair = item["pair"]
    side = {k: RecordOut.model_validate(item[k]) if item[k] is not None else None
            for k in ("left", "right")}
    return PairOut(id=pair.id, probability=pair.probability, status=pair.status,
                   decided_by=pair.decided_by, **side)


@router.post("/enrollment/pairs/{pair_id}/decision", response_model=PairOut, summary="确认是否同一人")
def decide(pair_id: RowId, body: DecisionIn, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    pair = service.decide_pair(db, actor, pair_id, body.decision, body.note)
    return next(pair_out(i) for i in service.review_pairs(db, actor, None, 5000)
                if i["pair"].id == pair.id)


@router.get("/enrollment/entries", response_model=list[ListedEntry], summary="登记库人员明细（可下钻）")
def listing(dimension: Dimension | None = None, value: str | None = Query(default=None, max_length=40),
            flag: FlagKind | None = None, limit: int = Query(default=500, ge=1, le=5000),
            actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.entries(db, actor, dimension=dimension, value=value, flag=flag, limit=limit)


@router.get("/enrollment/entries.xlsx", summary="登记库人员明细（Excel）")
def listing_xlsx(dimension: Dimension | None = None, value: str | None = Query(default=None, max_length=40),
                 flag: FlagKind | None = None, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    content = service.entries_xlsx(db, actor, dimension=dimension, value=value, flag=flag)
    return xlsx_response(content, "登记库人员明细.xlsx")


@router.get("/enrollment/entries/{entry_id}", response_model=EntryDetail, summary="登记库记录")
def entry(entry_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return detail(db, actor, service.get_entry(db, actor, entry_id))


@router.post("/enrollment/entries/{entry_id}/collect", response_model=EntryDetail,
             summary="采集补充或更正的登记信息（清除相应标识）")
def collect(entry_id: RowId, body: CollectIn, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    found = service.collect(db, actor, entry_id, body.model_dump(exclude_none=True))
    return detail(db, actor, found)


@router.get("/enrollment/mine", response_model=EntryDetail, summary="本人的登记信息及需补充的项目")
def mine(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    found = service.my_entry(db, actor)
    if found is None:
        raise NotFound("registry.entry_not_found", "登记库中尚无本人的记录", None)
    return detail(db, actor, found)


@router.get("/enrollment/statistics", response_model=Statistics, summary="全民参保登记统计")
def stats(region: str | None = Query(default=None, pattern=r"^\d{6}$"),
          actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.statistics(db, actor, region)


@router.get("/enrollment/statistics.xlsx", summary="全民参保登记统计（Excel）")
def stats_xlsx(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.statistics_xlsx(db, actor), "全民参保登记统计.xlsx")


# --- household survey (E§15–§19) -------------------------------------------------------------

def item_out(item, entry) -> SurveyItemOut:
    import json

    return SurveyItemOut(id=item.id, entry_id=entry.id, name=entry.name, status=item.status,
                         values=json.loads(item.values or "{}"), entered_by=item.entered_by,
                         reviewed_by=item.reviewed_by, approved_by=item.approved_by, note=item.note)


def _item_of(db: Session, actor: Actor, item) -> SurveyItemOut:
    return item_out(item, db.get(RegistryEntry, item.entry_id))


@router.post("/enrollment/surveys", status_code=201, response_model=SurveyListOut,
             summary="生成入户调查名单（按行政区划）")
def survey_list(body: SurveyListIn, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return survey.generate_list(db, actor, body.division)


@router.put("/enrollment/surveys/{list_id}/team", response_model=SurveyListOut, summary="指定调查员（2-3人）")
def survey_team(list_id: RowId, body: TeamIn, actor: Actor = Depends(api_actor),
                db: Session = Depends(get_db)):
    return survey.assign_team(db, actor, list_id, body.team)


@router.get("/enrollment/surveys/{list_id}/items", response_model=list[SurveyItemOut], summary="调查对象")
def survey_items(list_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [item_out(i, e) for i, e in survey.items(db, actor, list_id)]


@router.post("/enrollment/survey-items/{item_id}/entry", response_model=SurveyItemOut, summary="录入调查信息")
def survey_enter(item_id: RowId, body: CollectIn, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return _item_of(db, actor, survey.enter(db, actor, item_id, body.model_dump(exclude_none=True)))


@router.post("/enrollment/survey-items/{item_id}/review", response_model=SurveyItemOut,
             summary="基层平台审核")
def survey_review(item_id: RowId, body: ReviewIn, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return _item_of(db, actor, survey.review(db, actor, item_id, body.accept, body.note))


@router.post("/enrollment/survey-items/{item_id}/approval", response_model=SurveyItemOut,
             summary="县级审定入库")
def survey_approve(item_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return _item_of(db, actor, survey.approve(db, actor, item_id))


@router.get("/enrollment/surveys/{list_id}/forms.pdf", summary="全民参保登记表（PDF）")
def survey_forms(list_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return pdf_response(survey.forms_pdf(db, actor, list_id), f"全民参保登记表-{list_id}.pdf")


@router.get("/enrollment/surveys/{list_id}/summary.xlsx", summary="全民参保登记个人信息汇总表（Excel）")
def survey_summary(list_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(survey.summary_xlsx(db, actor, list_id), f"个人信息汇总表-{list_id}.xlsx")


@router.get("/enrollment/surveys", response_model=list[SurveyListOut],
            summary="入户调查名单（按行政区划筛选）")
def survey_lists(division: str = Query(default="", max_length=12), actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db)):
    return [row["list"] for row in survey.lists(db, actor, division)]


@router.get("/enrollment/surveys/{list_id}/forms.xlsx", summary="全民参保登记表（Excel）")
def survey_forms_xlsx(list_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return xlsx_response(survey.forms_xlsx(db, actor, list_id), f"全民参保登记表-{list_id}.xlsx")


@router.get("/enrollment/surveys/{list_id}/summary.pdf", summary="全民参保登记个人信息汇总表（PDF）")
def survey_summary_pdf(list_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return pdf_response(survey.summary_pdf(db, actor, list_id), f"个人信息汇总表-{list_id}.pdf")
