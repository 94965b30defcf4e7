"""全民参保登记 pages: coverage statistics with charts and drill-down (E§27–§31), the person
lists with Excel, one entry with its flags and the collection form (E§13), the department
files with their broken rows, the linkage run and the pairs to decide; the household survey
from the list to the county's approval, its entry page fit for a phone (E§15–§19); in the
portal, the person's own prompt (E§14, E§23). The same services as /api/v1/enrollment."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jingban.core.actor import Actor
from jingban.core.auth import user_from_token
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.excel import xlsx_response
from jingban.core.http import RowId, get_db
from jingban.core.pdf import pdf_response
from jingban.enrollment import batch, rules, service, survey
from jingban.web.charts import bar_chart
from jingban.web.pages import page_actor, posted, render, see_other, signed_in, templates

router = APIRouter()
PAGE = "/enrollment"
CHARTED = ("insurance", "household_region", "age_band", "employment_status", "where",
           "not_enrolled_reason")


def _count(value: float) -> str:
    return f"{value:,.0f}"


def charts(tables: dict[str, list[dict]]) -> dict[str, Markup]:
    out = {}
    for dimension in CHARTED:
        rows = tables[dimension][:12]
        if rows:
            whole = "登记人数" if dimension == "insurance" else "人数"  # the coverage's base
            series = [(whole, [r["base"] for r in rows]), ("参保人数", [r["enrolled"] for r in rows])]
            out[dimension] = bar_chart(f"按{rules.DIMENSIONS[dimension]}", [r["label"] for r in rows],
                                       series, label=_count, unit="人")
    return out


@router.get(PAGE)
def dashboard(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    found = service.statistics(db, actor)
    return render(request, "enrollment/dashboard.html", stats=found, charts=charts(found["tables"]),
                  dimensions=rules.DIMENSIONS, runs=service.runs(db, actor, 5))


@router.get(PAGE + "/statistics.xlsx")
def statistics_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.statistics_xlsx(db, actor), "全民参保登记统计.xlsx")


def _filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {"dimension": q.get("dimension") or None, "value": q.get("value"),
            "flag": q.get("flag") or None}


@router.get(PAGE + "/entries")
def entry_list(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    filters, status, error = _filters(request), 200, None
    try:
        rows = service.entries(db, actor, **filters, limit=500)
    except JingbanError as exc:
        rows, status, error = [], exc.status, exc
    label = rules.value_label(filters["dimension"], filters["value"] or "") if filters["dimension"] else ""
    return render(request, "enrollment/entries.html", status=status, rows=rows, filters=filters,
                  error=error, label=label, query=request.url.query, flags=rules.FLAG_KINDS,
                  statuses=rules.ENTRY_STATUS,
                  dimensions=rules.DIMENSIONS)


@router.get(PAGE + "/entries.xlsx")
def entry_xlsx(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(service.entries_xlsx(db, actor, **_filters(request)), "登记库人员明细.xlsx")


def _entry_page(request: Request, db: Session, actor: Actor, entry_id: int, status: int = 200,
                **context: Any):
    entry = service.get_entry(db, actor, entry_id)
    return render(request, "enrollment/entry.html", status=status, entry=entry,
                  flags=service.flags_of(db, actor, entry.id),
                  records=service.records_of(db, actor, entry.id),
                  prompt=service.prompt_fields(db, entry), sources=service.entry_sources(entry),
                  **_form_options(), **context)


def _form_options() -> dict[str, Any]:
    return {"fields": rules.FIELDS, "source_names": rules.SOURCES, "flag_names": rules.FLAG_KINDS,
            "statuses": rules.ENTRY_STATUS,
            "options": {"employment_status": rules.EMPLOYMENT, "household_type": rules.HOUSEHOLD_TYPES,
                        "not_enrolled_reason": rules.REASONS}}


@router.get(PAGE + "/entries/{entry_id}")
def entry_page(request: Request, entry_id: RowId, actor: Actor = Depends(page_actor),
               db: Session = Depends(get_db)):
    return _entry_page(request, db, actor, entry_id)


def _collected(values: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in values.items() if k in rules.COLLECTABLE and str(v).strip()}


@router.post(PAGE + "/entries/{entry_id}/collect")
def entry_collect(request: Request, entry_id: RowId, values: dict = Depends(posted),
                  actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        service.collect(db, actor, entry_id, _collected(values))
    except JingbanError as exc:
        db.rollback()
        if exc.status in (403, 404):
            raise
        return _entry_page(request, db, actor, entry_id, exc.status, error=exc, form="collect",
                           values=values)
    return see_other(f"{PAGE}/entries/{entry_id}", "登记信息已采集，相应标识已更新", request)


# --- files, runs, pairs ----------------------------------------------------------------------

def _files_page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    sources = {s: rules.SOURCES[s] for s in rules.FILE_SOURCES}
    return render(request, "enrollment/files.html", status=status, files=service.list_files(db, actor),
                  sources=sources, source_names=rules.SOURCES, columns=rules.COLUMNS, **context)


@router.get(PAGE + "/files")
def files_page(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _files_page(request, db, actor)


@router.post(PAGE + "/files")
def files_upload(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
                 db: Session = Depends(get_db)):
    try:
        upload = values.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("registry.file", "请选择要上传的文件", "file")
        received = service.receive_file(db, actor, source=str(values.get("source") or ""),
                                        filename=upload.filename,
                                        content=upload.file.read(rules.MAX_FILE_BYTES + 1))
    except JingbanError as exc:
        db.rollback()
        if exc.status == 403:
            raise
        return _files_page(request, db, actor, exc.status, error=exc,
                           values={"source": values.get("source", "")})
    return see_other(f"{PAGE}/files/{received.id}",
                     f"已接收 {received.accepted} 行，错误 {received.rejected} 行", request)


@router.get(PAGE + "/files/{file_id}")
def file_page(request: Request, file_id: RowId, actor: Actor = Depends(page_actor),
              db: Session = Depends(get_db)):
    upload, bad = service.get_file(db, actor, file_id)
    return render(request, "enrollment/file.html", upload=upload, bad=bad, source_names=rules.SOURCES)


@router.post(PAGE + "/runs")
def run_linkage(request: Request, values: dict = Depends(posted), actor: Actor = Depends(page_actor),
                db: Session = Depends(get_db)):
    done = batch.run(db, actor, request.app.state.settings)
    return see_other(PAGE, f"比对完成：{done.records} 条来源记录，{done.entries} 人，"
                           f"待确认 {done.review_pairs} 对，标识 {done.flags} 项", request)


def _pairs_page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    return render(request, "enrollment/pairs.html", status=status, pairs=service.review_pairs(db, actor),
                  source_names=rules.SOURCES, **context)


@router.get(PAGE + "/pairs")
def pairs_page(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _pairs_page(request, db, actor)


@router.post(PAGE + "/pairs/{pair_id}/reveal")
def pair_reveal(request: Request, pair_id: RowId, values: dict = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    """The "show" action of one pair: both records in full, on a stated reason (logged)."""
    try:
        revealed = service.reveal_pair(db, actor, pair_id, values.get("reason"))
    except JingbanError as exc:
        db.rollback()
        if exc.status in (403, 404):
            raise
        return _pairs_page(request, db, actor, exc.status, error=exc, form=f"reveal-{pair_id}",
                           values=values)
    return _pairs_page(request, db, actor, revealed=revealed, revealed_pair=pair_id)


@router.post(PAGE + "/pairs/{pair_id}/decision")
def pair_decide(request: Request, pair_id: RowId, values: dict = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    decision = str(values.get("decision") or "")
    service.decide_pair(db, actor, pair_id, decision, str(values.get("note") or ""))
    return see_other(f"{PAGE}/pairs", "已确认" + ("为同一人" if decision == "same" else "不是同一人"),
                     request)


# --- the portal (E§14, E§23) -----------------------------------------------------------------

@router.get("/my/registry")
def my_registry(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    return _mine(request, db, actor)


def _mine(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    entry = service.my_entry(db, actor)
    prompt = service.prompt_fields(db, entry) if entry else []
    return render(request, "enrollment/mine.html", status=status, entry=entry, prompt=prompt,
                  **_form_options(), **context)


@router.post("/my/registry")
def my_registry_fix(request: Request, values: dict = Depends(posted), actor: Actor = Depends(signed_in),
                    db: Session = Depends(get_db)):
    entry = service.my_entry(db, actor)
    if entry is None:
        return see_other("/my/registry", "登记库中尚无您的记录", request)
    try:
        service.collect(db, actor, entry.id, _collected(values))
    except JingbanError as exc:
        db.rollback()
        if exc.status in (403, 404):
            raise
        return _mine(request, db, actor, exc.status, error=exc, form="collect", values=values)
    return see_other("/my/registry", "您补充的信息已提交，谢谢", request)


# --- the prompt on every page about a flagged person (E§13) ----------------------------------

def registry_prompt(request: Request) -> Markup:
    """A notice naming the fields to collect, on any staff page about a person (a path with
    ``pid``) and on the person's own portal pages. Empty when nothing is flagged."""
    roles = frozenset(request.session.get("roles", ()))
    if not request.session.get("token") or not (roles & {"clerk", "person"}):
        return Markup("")
    try:
        with request.app.state.sessionmaker() as db:
            return _prompt(db, request, roles)
    except JingbanError:
        return Markup("")


def _prompt(db: Session, request: Request, roles: frozenset[str]) -> Markup:
    from sqlalchemy import select

    from jingban.registration.models import Person

    if "person" in roles:
        cfg = request.app.state.settings
        user = user_from_token(db, cfg.secret_key, request.session["token"], cfg.token_ttl_seconds)
        subject = user.subject or ""
        person_id = int(subject.split(":", 1)[1]) if subject.startswith("person:") else None
        link = "/my/registry"
    else:
        pid = request.path_params.get("pid")  # sec15: staff URLs name the person by public_id
        person_id = db.execute(select(Person.id).where(Person.public_id == pid)).scalar() if pid else None
        link = None
    entry = service.entry_for_person(db, person_id) if person_id else None
    fields = service.prompt_fields(db, entry) if entry else []
    if not fields or request.url.path.startswith(("/my/registry", PAGE)):
        return Markup("")
    link = link or f"{PAGE}/entries/{entry.id}"
    names = "、".join(rules.FIELDS[f] for f in fields)
    return Markup(f'<div class="notice registry-prompt" role="alert" id="registry-prompt">全民参保登记：'
                  f'请核实并补充{escape(names)}。<a href="{escape(link)}">现在补充</a></div>')


templates.env.globals["registry_prompt"] = registry_prompt


# --- the household survey (E§15–§19) ---------------------------------------------------------

SURVEYS = PAGE + "/surveys"
ITEMS = PAGE + "/survey-items"


def _lists_page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    division = request.query_params.get("division", "").strip()
    try:
        found = survey.lists(db, actor, division)
    except InvalidInput as exc:
        found, status, context = survey.lists(db, actor), exc.status, {**context, "error": exc}
    return render(request, "enrollment/surveys.html", status=status, lists=found, division=division,
                  item_status=survey.ITEM_STATUS, **context)


@router.get(SURVEYS)
def surveys_page(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _lists_page(request, db, actor)


@router.post(SURVEYS)
def survey_generate(request: Request, values: dict = Depends(posted),
                    actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        made = survey.generate_list(db, actor, str(values.get("division") or ""))
    except JingbanError as exc:
        db.rollback()
        return _lists_page(request, db, actor, exc.status, error=exc, form="generate", values=values)
    count = len(survey.items(db, actor, made.id))
    return see_other(f"{SURVEYS}/{made.id}", f"已生成入户调查名单 {made.id}，共 {count} 人", request)


def _list_page(request: Request, db: Session, actor: Actor, list_id: int, status: int = 200,
               **context: Any):
    found = survey.get_list(db, actor, list_id)
    return render(request, "enrollment/survey.html", status=status, survey=found,
                  level=survey.LEVELS[len(found.division)], team=rules.split(found.team),
                  items=survey.items(db, actor, list_id), item_status=survey.ITEM_STATUS, **context)


@router.get(SURVEYS + "/{list_id}")
def survey_page(request: Request, list_id: RowId, actor: Actor = Depends(page_actor),
                db: Session = Depends(get_db)):
    return _list_page(request, db, actor, list_id)


@router.post(SURVEYS + "/{list_id}/team")
def survey_team(request: Request, list_id: RowId, values: dict = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    names = [str(values.get(f"member{i}") or "") for i in (1, 2, 3)]
    try:
        survey.assign_team(db, actor, list_id, names)
    except JingbanError as exc:
        db.rollback()
        return _list_page(request, db, actor, list_id, exc.status, error=exc, form="team",
                          values=values)
    return see_other(f"{SURVEYS}/{list_id}", "已指定调查员", request)


@router.get(SURVEYS + "/{list_id}/forms.pdf")
def survey_forms_pdf(list_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return pdf_response(survey.forms_pdf(db, actor, list_id), f"全民参保登记表-{list_id}.pdf")


@router.get(SURVEYS + "/{list_id}/forms.xlsx")
def survey_forms_xlsx(list_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(survey.forms_xlsx(db, actor, list_id), f"全民参保登记表-{list_id}.xlsx")


@router.get(SURVEYS + "/{list_id}/summary.pdf")
def survey_summary_pdf(list_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return pdf_response(survey.summary_pdf(db, actor, list_id), f"个人信息汇总表-{list_id}.pdf")


@router.get(SURVEYS + "/{list_id}/summary.xlsx")
def survey_summary_xlsx(list_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return xlsx_response(survey.summary_xlsx(db, actor, list_id), f"个人信息汇总表-{list_id}.xlsx")


def _item_page(request: Request, db: Session, actor: Actor, item_id: int, status: int = 200,
               **context: Any):
    item, entry, found = survey.item_of(db, actor, item_id)
    entered = json.loads(item.values or "{}")
    return render(request, "enrollment/survey_item.html", status=status, item=item, entry=entry,
                  survey=found, entered=entered, prompt=service.prompt_fields(db, entry),
                  item_status=survey.ITEM_STATUS, in_team=actor.username in rules.split(found.team),
                  **_form_options(), **context)


@router.get(ITEMS + "/{item_id}")
def survey_item_page(request: Request, item_id: RowId, actor: Actor = Depends(page_actor),
                     db: Session = Depends(get_db)):
    return _item_page(request, db, actor, item_id)


@router.post(ITEMS + "/{item_id}/entry")
def survey_item_enter(request: Request, item_id: RowId, values: dict = Depends(posted),
                      actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        item = survey.enter(db, actor, item_id, _collected(values))
    except JingbanError as exc:
        db.rollback()
        if not survey.reads_item(db, actor, item_id):
            raise exc from None  # the error page: nothing of a list he may not read
        return _item_page(request, db, actor, item_id, exc.status, error=exc, form="collect",
                          values=values)
    return see_other(f"{SURVEYS}/{item.list_id}", "调查信息已录入，等待基层平台审核", request)


def _act_on_item(request: Request, db: Session, actor: Actor, item_id: int, act, done: str):
    """Review or approval from the list page: errors are shown on the list, with their code."""
    try:
        item = act()
    except JingbanError as exc:
        db.rollback()
        if not survey.reads_item(db, actor, item_id):
            raise exc from None  # the error page: nothing of a list he may not read
        item, _entry, _list = survey.item_of(db, actor, item_id)
        return _list_page(request, db, actor, item.list_id, exc.status, error=exc,
                          form=f"item-{item_id}")
    return see_other(f"{SURVEYS}/{item.list_id}", done, request)


@router.post(ITEMS + "/{item_id}/review")
def survey_item_review(request: Request, item_id: RowId, values: dict = Depends(posted),
                       actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    accept = values.get("decision") == "accept"
    return _act_on_item(request, db, actor, item_id,
                        lambda: survey.review(db, actor, item_id, accept, str(values.get("note") or "")),
                        "审核通过，报县级经办机构审定" if accept else "已退回调查员重新调查")


@router.post(ITEMS + "/{item_id}/approval")
def survey_item_approve(request: Request, item_id: RowId, values: dict = Depends(posted),
                        actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _act_on_item(request, db, actor, item_id, lambda: survey.approve(db, actor, item_id),
                        "已审定，调查信息已入登记库")
