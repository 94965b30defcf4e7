"""Household survey acts (入户调查, E§15–§19): survey lists by administrative division drawn
from the people needing investigation, a team of 2–3 surveyors, the surveyors' entries, the
grassroots platform's review and the county's approval — which takes the values into the
registry as a ``survey`` row and clears what they settle. Also the 全民参保登记表 (PDF, Excel)
and the per-community 个人信息汇总表."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core import audit, clock, ids
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.core.models import User, UserRole
from jingban.enrollment import rules, service
from jingban.enrollment.models import RegistryEntry, SourceRecord, SurveyItem, SurveyList

audit.ACT_NAMES.update({
    "enrollment.survey_list": "生成入户调查名单", "enrollment.survey_team": "指定调查员",
    "enrollment.survey_enter": "录入入户调查信息", "enrollment.survey_review": "基层平台审核调查信息",
    "enrollment.survey_approve": "县级经办机构审定调查信息",
})
ITEM_STATUS = {"pending": "待调查", "entered": "已录入待审核", "reviewed": "已审核待审定",
               "approved": "已审定入库", "returned": "已退回重新调查"}
TEAM_SIZE = (2, 3)  # E§18: 调查员一般以2-3人为一组
MAX_ID = 2**31 - 1


def check_division(code: str) -> str:
    """A division code: 6 digits (county), 9 (township/street) or 12 (community/village); the
    county part must name a place (python-stdnum's table)."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}(\d{3}){0,2}", code):
        raise InvalidInput("survey.division", "行政区划代码应为6位（县）、9位（乡镇街道）"
                           "或12位（社区村）数字", "division")
    try:
        ids.validate_region(code[:6], "division")
    except InvalidInput:
        raise InvalidInput("survey.division_unknown", f"行政区划代码 {code[:6]} 不存在", "division") from None
    return code


def _in_division(entry: RegistryEntry, division: str) -> bool:
    if len(division) == 6:
        return entry.household_region == division
    return (entry.residence_region or "").startswith(division)


@transactional
def generate_list(db: Session, actor: Actor, division: str) -> SurveyList:
    """名单 (E§17): every entry needing investigation whose household (or, below the county,
    whose residence) is in the division."""
    require(actor, "enrollment.survey_plan")
    division = check_division(division)
    found = [e for e in db.execute(select(RegistryEntry).where(
        RegistryEntry.status == "investigate",
        RegistryEntry.household_region == division[:6]).order_by(RegistryEntry.id)).scalars()
        if _in_division(e, division)]
    survey = SurveyList(division=division, created_by=actor.username, created_at=clock.now())
    db.add(survey)
    db.flush()
    for entry in found:
        db.add(SurveyItem(list_id=survey.id, entry_id=entry.id))
    audit.record(db, actor, "enrollment.survey_list", f"survey_list:{survey.id}",
                 after={"division": division, "persons": len(found)})
    return survey


def _surveyors(db: Session, names: list[str]) -> list[str]:
    rows = set(db.execute(select(User.username).join(UserRole, UserRole.user_id == User.id).where(
        User.username.in_(names), UserRole.role == "surveyor", User.active.is_(True))).scalars())
    if missing := [n for n in names if n not in rows]:
        raise InvalidInput("survey.not_surveyor", f"不是有效的调查员：{'、'.join(missing)}", "team")
    return names


@transactional
def assign_team(db: Session, actor: Actor, list_id: int, team: list[str]) -> SurveyList:
    require(actor, "enrollment.survey_plan")
    survey = get_list(db, actor, list_id)
    names = list(dict.fromkeys(n.strip() for n in team if n.strip()))
    if not TEAM_SIZE[0] <= len(names) <= TEAM_SIZE[1]:
        raise InvalidInput("survey.team_size", "入户调查一般以2-3人为一组，请指定2至3名调查员", "team")
    survey.team = ";".join(_surveyors(db, names))
    audit.record(db, actor, "enrollment.survey_team", f"survey_list:{survey.id}", after={"team": names})
    return survey


def get_list(db: Session, actor: Actor, list_id: int) -> SurveyList:
    """A list for one allowed to read it (``require_list``)."""
    survey = db.get(SurveyList, list_id) if 0 < list_id <= MAX_ID else None
    if survey is None:
        raise NotFound("survey.list_not_found", f"未找到入户调查名单 {list_id}", "list_id")
    require_list(actor, survey)
    return survey


def reads_every_list(actor: Actor) -> bool:
    """The grassroots platform (plans, reviews) and the county (approves) read every list."""
    return can(actor, "enrollment.survey_plan") or can(actor, "enrollment.survey_approve")


def may_read(actor: Actor, survey: SurveyList) -> bool:
    """A list, its persons and its forms are read by its team (E§18) and by those who review
    and approve it (E§19); by no one else (E§25: 保密责任)."""
    return reads_every_list(actor) or actor.username in rules.split(survey.team)


def require_list(actor: Actor, survey: SurveyList) -> None:
    if not may_read(actor, survey):
        raise PermissionDenied("survey.list_forbidden", "您不是该调查名单的调查员，不能查看该名单、"
                               "调查对象及全民参保登记表", "list_id")


LEVELS = {6: "县（市、区）", 9: "乡镇（街道）", 12: "社区（村）"}


def lists(db: Session, actor: Actor, division: str = "") -> list[dict]:
    """The survey lists under a division (all when empty), each with its counts per status;
    one who does not read every list (``reads_every_list``) sees the lists of his teams."""
    from sqlalchemy import func

    if "surveyor" not in actor.roles:
        service.require_read(actor)
    stmt = select(SurveyList).order_by(SurveyList.id.desc())
    if division:
        stmt = stmt.where(SurveyList.division.startswith(check_division(division)))
    found = [s for s in db.execute(stmt.limit(500)).scalars()
             if may_read(actor, s)]
    counts: dict[int, dict[str, int]] = {}
    if found:
        for list_id, status, n in db.execute(select(
                SurveyItem.list_id, SurveyItem.status, func.count()).where(
                SurveyItem.list_id.in_([s.id for s in found])).group_by(
                SurveyItem.list_id, SurveyItem.status)):
            counts.setdefault(list_id, {})[status] = n
    return [{"list": s, "level": LEVELS[len(s.division)], "counts": counts.get(s.id, {}),
             "total": sum(counts.get(s.id, {}).values())} for s in found]


def item_of(db: Session, actor: Actor, item_id: int) -> tuple[SurveyItem, RegistryEntry, SurveyList]:
    """One person on a list, for the entry page."""
    if "surveyor" not in actor.roles:
        service.require_read(actor)
    item = _item(db, item_id)
    survey = get_list(db, actor, item.list_id)
    return item, db.get(RegistryEntry, item.entry_id), survey


def reads_item(db: Session, actor: Actor, item_id: int) -> bool:
    """Whether the person on a list (and so the list) is the actor's to read; False also for
    an item that does not exist."""
    item = db.get(SurveyItem, item_id) if 0 < item_id <= MAX_ID else None
    survey = db.get(SurveyList, item.list_id) if item else None
    return survey is not None and may_read(actor, survey)


def items(db: Session, actor: Actor, list_id: int) -> list[tuple[SurveyItem, RegistryEntry]]:
    if "surveyor" not in actor.roles:
        service.require_read(actor)
    get_list(db, actor, list_id)
    return list(db.execute(select(SurveyItem, RegistryEntry).join(
        RegistryEntry, RegistryEntry.id == SurveyItem.entry_id).where(
        SurveyItem.list_id == list_id).order_by(SurveyItem.id)).all())


def _item(db: Session, item_id: int) -> SurveyItem:
    item = db.get(SurveyItem, item_id) if 0 < item_id <= MAX_ID else None
    if item is None:
        raise NotFound("survey.item_not_found", f"未找到调查对象 {item_id}", "item_id")
    return item


def _expect(item: SurveyItem, *states: str) -> None:
    if item.status not in states:
        raise Conflict("survey.state", f"该调查对象当前为“{ITEM_STATUS[item.status]}”，不能办理此操作",
                       "item_id")


@transactional
def enter(db: Session, actor: Actor, item_id: int, values: dict[str, str]) -> SurveyItem:
    """调查员录入 (E§18): only a member of the list's team; the values are checked now."""
    require(actor, "enrollment.survey_enter")
    item = _item(db, item_id)
    survey = db.get(SurveyList, item.list_id)
    if actor.username not in rules.split(survey.team):
        raise PermissionDenied("survey.not_in_team", "您不是该调查名单的调查员，不能录入", "item_id")
    _expect(item, "pending", "returned")
    given = service.check_collected(values)
    item.values, item.status = json.dumps(given, ensure_ascii=False), "entered"
    item.entered_by, item.entered_at = actor.username, clock.now()
    audit.record(db, actor, "enrollment.survey_enter", f"survey_item:{item.id}", after=given)
    return item


@transactional
def review(db: Session, actor: Actor, item_id: int, accept: bool, note: str = "") -> SurveyItem:
    """基层平台审核 (E§19): accepted goes to the county, otherwise back to the surveyors."""
    require(actor, "enrollment.survey_plan")
    item = _item(db, item_id)
    _expect(item, "entered")
    _not_own(actor, item)
    item.status = "reviewed" if accept else "returned"
    item.reviewed_by, item.note = actor.username, note[:300]
    audit.record(db, actor, "enrollment.survey_review", f"survey_item:{item.id}",
                 after={"accept": accept, "note": note})
    return item


def _not_own(actor: Actor, item: SurveyItem) -> None:
    if actor.username == item.entered_by:
        raise PermissionDenied("survey.own_entry", "不能审核或审定本人录入的调查信息", "item_id")


@transactional
def approve(db: Session, actor: Actor, item_id: int) -> SurveyItem:
    """县级审定 (E§19): the values enter the registry as a ``survey`` row; flags settle."""
    from jingban.enrollment import batch

    require(actor, "enrollment.survey_approve")
    item = _item(db, item_id)
    _expect(item, "reviewed")
    _not_own(actor, item)
    entry = db.get(RegistryEntry, item.entry_id)
    record = service.collection_record(db, entry, json.loads(item.values), "survey",
                                       f"survey:{item.id}")
    rows = list(db.execute(select(SourceRecord).where(SourceRecord.entry_id == entry.id,
                                                      SourceRecord.status == "accepted")).scalars())
    batch.settle(db, entry, rows, service.open_flags(db, entry.id), entry.run_id,
                 f"入户调查：{record.source_key}", actor.username)
    item.status, item.approved_by = "approved", actor.username
    audit.record(db, actor, "enrollment.survey_approve", f"survey_item:{item.id}",
                 after={"entry": entry.id})
    return item


# --- the forms (附件1, 附件2) ----------------------------------------------------------------

SIGNATURES = "调查员签名：＿＿＿＿＿＿　被调查人签名：＿＿＿＿＿＿　日期：＿＿＿＿＿＿"
# every E§7 item (LD/T92 names: 现参保情况 as the kinds insured here, 异地参保 as the kinds and
# the place elsewhere), printed as names, not codes
FORM_FIELDS = ("name", "citizen_id", "sex", "birth_date", "ethnicity", "household_region",
               "household_type", "residence_region", "residence", "phone", "employment_status",
               "insured_here", "insured_elsewhere", "elsewhere_region", "not_enrolled_reason")
FORM_LABELS = {**rules.FIELDS, "insured_here": "本地参保险种", "insured_elsewhere": "异地参保险种",
               "elsewhere_region": "异地参保地"}


def _cells(entry: RegistryEntry) -> list[str]:
    return [rules.shown(f, getattr(entry, f)) for f in FORM_FIELDS]


def _asked(db: Session, entry: RegistryEntry) -> str:
    return "、".join(rules.FIELDS[f] for f in service.prompt_fields(db, entry))


def summary_rows(db: Session, actor: Actor, list_id: int) -> list[list[str]]:
    """个人信息汇总表 (附件2): one line per person, with what the flags ask and the status."""
    return [[*_cells(entry), _asked(db, entry), ITEM_STATUS[item.status]]
            for item, entry in items(db, actor, list_id)]


SUMMARY_HEAD = [*(FORM_LABELS[f] for f in FORM_FIELDS), "需核实补充", "调查状态"]


def forms_pdf(db: Session, actor: Actor, list_id: int) -> bytes:
    """全民参保登记表 (附件1) for every person on the list, one page each, blanks to fill."""
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    from jingban.core import pdf

    survey, style = get_list(db, actor, list_id), pdf.styles()
    flow: list = []
    for n, (_item_row, entry) in enumerate(items(db, actor, list_id)):
        if n:
            flow.append(PageBreak())
        asked = set(service.prompt_fields(db, entry))
        rows = [[FORM_LABELS[f], value, "□ 需核实补充" if f in asked else ""]
                for f, value in zip(FORM_FIELDS, _cells(entry), strict=True)]
        flow += [Paragraph("全民参保登记表", style["title"]), Spacer(1, 8),
                 Paragraph(f"调查名单 {survey.id} · 行政区划 {rules.division_name(survey.division)}"
                           f" · 登记库编号 {entry.id}",
                           style["small"]), Spacer(1, 6),
                 pdf.table(["项目", "登记库现有信息", "调查核实"], rows, widths=[110, 220, 150]),
                 Spacer(1, 16), Paragraph(SIGNATURES, style["body"])]
    if not flow:
        flow = [Paragraph("全民参保登记表", style["title"]), Paragraph(pdf.EMPTY, style["body"])]
    return pdf.document(flow, title="全民参保登记表", subject=f"survey_list:{survey.id}")


def summary_xlsx(db: Session, actor: Actor, list_id: int) -> bytes:
    from jingban.core.excel import workbook

    return workbook("个人信息汇总表", SUMMARY_HEAD, summary_rows(db, actor, list_id))


def forms_xlsx(db: Session, actor: Actor, list_id: int) -> bytes:
    """全民参保登记表 (附件1) as one sheet: a line per person, the registry's values, the fields
    to verify, and blank columns for the survey."""
    from jingban.core.excel import workbook

    rows = [[entry.id, *_cells(entry), _asked(db, entry), "", "", ""]
            for _item_row, entry in items(db, actor, list_id)]
    return workbook("全民参保登记表", ["登记库编号", *(FORM_LABELS[f] for f in FORM_FIELDS),
                                 "需核实补充", "调查核实情况", "调查员签名", "被调查人签名"], rows)


PDF_COLUMNS = tuple(SUMMARY_HEAD.index(h) for h in (  # what fits an A4 line
    "姓名", "公民身份号码", "性别", "出生日期", "常住地址", "联系电话", "需核实补充", "调查状态"))
PDF_WIDTHS = [42, 95, 24, 55, 92, 63, 68, 54]


def summary_pdf(db: Session, actor: Actor, list_id: int) -> bytes:
    """个人信息汇总表 (附件2) of one community's list, one line per person (the Excel has every
    column)."""
    from reportlab.platypus import Paragraph, Spacer

    from jingban.core import pdf

    survey, style = get_list(db, actor, list_id), pdf.styles()
    rows = [[str(r[i])[:14] for i in PDF_COLUMNS] for r in summary_rows(db, actor, list_id)]
    flow = [Paragraph("全民参保登记个人信息汇总表", style["title"]), Spacer(1, 6),
            Paragraph(f"调查名单 {survey.id} · 行政区划 {rules.division_name(survey.division)}"
                      f"（{LEVELS[len(survey.division)]}）"
                      f" · 调查员 {'、'.join(rules.split(survey.team)) or '未指定'} · 共 {len(rows)} 人",
                      style["small"]), Spacer(1, 6),
            pdf.table([SUMMARY_HEAD[i] for i in PDF_COLUMNS], rows, widths=PDF_WIDTHS)]
    return pdf.document(flow, title="全民参保登记个人信息汇总表", subject=f"survey_list:{survey.id}")
