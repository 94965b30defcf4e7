"""How values look on the staff pages: Chinese labels, masked SSNs, yuan, local times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape

from jingban.cases import catalog
from jingban.cases.rules import REVIEW_ROLES, STATUS_NAMES
from jingban.cases.service import STEP_NAMES
from jingban.core import clock, privacy
from jingban.core.actor import CHANNELS
from jingban.core.money import format_yuan
from jingban.core.rules import ROLE_NAMES
from jingban.registration import rules as registration_rules  # unemployment
from jingban.registration.rules import CARD_KINDS, CARD_STATUS, EMPLOYER_KINDS, INSURANCES
from jingban.transfers import rules as transfer_rules

# Form and history field names in Chinese (one list for labels, errors and history rows).
LABELS = {
    "username": "用户名", "password": "密码",
    "uscc": "统一社会信用代码", "name": "名称", "kind": "类型", "region": "所在地行政区划代码",
    "address": "地址", "legal_rep": "法定代表人（负责人）", "phone": "联系电话",
    "bank_name": "开户银行", "bank_account": "银行账号", "industry_code": "行业代码",
    "injury_risk_class": "工伤风险类别", "registered_on": "登记日期", "reason": "原因",
    "cancelled_on": "注销日期", "status": "状态", "flag": "标记",
    "ssn": "社会保障号码", "id_type": "证件类型", "id_number": "证件号码", "sex": "性别",
    "birth_date": "出生日期", "nationality": "国籍（地区）代码",
    "household_region": "户籍地行政区划代码", "retirement_category": "退休人员类别", "death_date": "死亡日期",
    "insurance": "险种", "employer_uscc": "参保单位统一社会信用代码",
    "start_date": "参保开始日期", "end_date": "停保日期", "contribution_base": "缴费基数（元）",
    "end_reason": "停保原因", "number": "卡号", "status_on": "状态日期",
    "new_number": "新卡号", "new_card": "新卡",
    "file": "数据文件", "enrollment_id": "参保记录", "card_id": "卡",
    "case_number": "业务件号", "agent_name": "代办人姓名", "agent_id_number": "代办人证件号码",
    "agent_authorization": "授权委托书", "materials": "材料", "codes": "材料", "note": "说明",
    "level": "审核层级", "assignee": "经办人",
    "debit": "借方（元）", "credit": "贷方（元）",
}

# What a badly formatted field must look like, said in place of the generic "格式不正确".
FORMAT_HINTS = {"bank_account": "应为12–30位数字（银行卡或社会保障卡金融账户账号，不含空格）",
                "applicant_id_number": "应为18位公民身份号码", "phone": "应为有效的电话号码",
                "retirement_month": "应为 YYYY-MM 格式，如 2030-06"}

# Form titles that differ from the common label for one request model's field.
FORM_TITLES = {
    "PersonCreate": {"name": "姓名"},
    "EmployerCreate": {"name": "单位名称", "kind": "单位类型"},
    "IdentityCorrection": {"name": "更正后的姓名", "id_number": "更正后的公民身份号码",
                           "reason": "更正原因及依据"},
    "PersonCancel": {"reason": "注销原因"},
    "EmployerCancel": {"reason": "注销原因"},
    "PersonChange": {"reason": "变更原因"},
    "EmployerChange": {"name": "单位名称", "kind": "单位类型", "reason": "变更原因"},
    "TransferApply": {"kind": "转移险种", "direction": "转移方向"},
}

ID_TYPES = {"citizen_id": "居民身份证", "foreign": "外国人证件", "hmt": "港澳台居民证件"}
SEXES = {"M": "男", "F": "女"}
RETIREMENT_CATEGORIES = {"male": "男职工", "female_55": "女（原55岁，干部）",
                         "female_50": "女（原50岁，工人）"}
STATUS = {"active": "正常", "cancelled": "已注销", "ended": "已停保", "deceased": "已死亡"}

MATERIAL_STATES = {"provided": "已提交", "missing": "待补正", "shared": "已由共享数据证明"}
LEVEL_NAMES = {level: ROLE_NAMES[role] for level, role in REVIEW_ROLES.items()}

# Coded values shown by name, per field (cards share "kind"/"status" with employers).
_NAMES = {
    "kind": {**EMPLOYER_KINDS, **CARD_KINDS},
    "insurance": INSURANCES,
    "id_type": ID_TYPES,
    "sex": SEXES,
    "retirement_category": RETIREMENT_CATEGORIES,
    "status": {**STATUS, **{k: v for k, v in CARD_STATUS.items() if k != "active"}},
}

TRANSFER_KINDS = {**transfer_rules.KINDS, **transfer_rules.NOT_TRANSFERABLE}
# Coded values of one request model's field whose name means something else elsewhere.
FORM_OPTIONS = {"TransferApply": {"kind": TRANSFER_KINDS, "direction": transfer_rules.DIRECTIONS}}


# Internal keys that mean nothing to staff in a history row.
_INTERNAL = {"id", "person_id", "employer_id", "exclusive_key", "replaces_id"}


def label(field: str | None) -> str:
    return LABELS.get(field or "", field or "")


def yuan(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen)


def local_time(ts: dt.datetime) -> str:
    return clock.local(ts).strftime("%Y-%m-%d %H:%M:%S")


def channel(code: str) -> str:
    return CHANNELS.get(code, code)


def item_name(code: str) -> str:
    found = catalog.load().get(code)
    return found.name if found else code


def subject_url(subject: str | None, key: str) -> str | None:
    """The staff page of what a case is about, once registered (by its id: the applicant may
    be someone else, e.g. a survivor claiming for the deceased)."""
    kind, _, ident = (subject or "").partition(":")
    return REF_URLS[kind].format(ident) if kind in ("person", "employer") and ident else None


def options_for(field: str, values: tuple, schema: str = "") -> dict[str, str]:
    """A coded field's choices, by their Chinese names where known (the request model's own
    names first)."""
    names = FORM_OPTIONS.get(schema, {}).get(field) or _NAMES.get(field, {})
    return {str(v): names.get(v, str(v)) for v in values}


def rate(part: int, whole: int) -> str:
    """按期办结率: a percentage, or a dash when nothing is finished yet."""
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def show(field: str, value: Any) -> str:
    """One history value as staff read it."""
    if value is None or value == "":
        return "—"
    if field == "contribution_base" and isinstance(value, int):
        return yuan(value)
    if isinstance(value, dict):
        return "，".join(f"{label(k)}：{show(k, v)}" for k, v in value.items()
                        if k not in _INTERNAL)
    if isinstance(value, list):  # a list of rows (a voucher's lines)
        return "；".join(show(field, v) for v in value)
    return _NAMES.get(field, {}).get(value, str(value))


def case_follow_up(case: Any) -> str:
    """What an approved case set going that is still running (e.g. a relationship transfer):
    said next to 已办结 so nobody reads it as finished."""
    return f"已审核同意；{case.outcome}" if case.status == "completed" and case.outcome else ""


def change_rows(changes: dict[str, list]) -> list[tuple[str, str, str]]:
    """(label, old, new) for each field an event changed, as staff read them."""
    rows = [(label(k), show(k, old), show(k, new)) for k, (old, new) in changes.items()
            if k not in _INTERNAL]
    return [row for row in rows if row[1] != row[2]]


def month(value: Any) -> str:
    """One display for every month (发放月、所属月份、退休时间): 2026年12月. Takes a YYYYMM
    integer, "YYYY-MM", "YYYYMM" or a date."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month:02d}月"
    text = str(value).strip().replace("-", "")
    if len(text) == 6 and text.isdigit() and 1 <= int(text[4:]) <= 12:
        return f"{text[:4]}年{text[4:]}月"
    return str(value)


# Internal references (``kind:id``) as people read them, with the page that shows them.
REF_NAMES = {"award_event": "待遇变更记录", "payment": "待遇发放记录", "account_entry": "个人账户记账",
             "stop_report": "停发事由报告", "debt": "追回款", "case": "业务件", "person": "参保人",
             "employer": "参保单位", "award": "待遇核定", "refund": "退还记录", "hit": "比对疑点",
             "shared_fact": "共享比对信息"}
REF_URLS = {"case": "/cases/{}", "person": "/persons/id/{}", "employer": "/employers/id/{}"}


def ref(value: Any) -> Markup:
    """``award_event:1`` → 待遇变更记录（第1号）; a person, employer or case links to its page.
    Anything else (a receipt number typed by staff) is shown as it is."""
    kind, sep, ident = str(value or "").partition(":")
    if not sep or kind not in REF_NAMES or not ident.isdigit():
        return escape(value or "—")
    text = f"{REF_NAMES[kind]}（第{ident}号）"
    url = REF_URLS.get(kind)
    return Markup(f'<a href="{url.format(ident)}">{escape(text)}</a>') if url else escape(text)


FILTERS = {"mask_ssn": privacy.mask_id, "yuan": yuan, "local_time": local_time, "channel": channel,
           "label": label, "month": month, "ref": ref}
GLOBALS = {"change_rows": change_rows, "INSURANCES": INSURANCES, "EMPLOYER_KINDS": EMPLOYER_KINDS,
           "CARD_KINDS": CARD_KINDS, "CARD_STATUS": CARD_STATUS, "ID_TYPES": ID_TYPES,
           "SEXES": SEXES, "RETIREMENT_CATEGORIES": RETIREMENT_CATEGORIES, "STATUS": STATUS,
           "show": show, "rate": rate,
           "CASE_STATUS": STATUS_NAMES, "STEP_NAMES": STEP_NAMES, "MATERIAL_STATES": MATERIAL_STATES,
           "LEVEL_NAMES": LEVEL_NAMES, "item_name": item_name, "subject_url": subject_url,
           "case_follow_up": case_follow_up, "TRANSFER_KINDS": TRANSFER_KINDS,
           "TRANSFER_STATUS": transfer_rules.STATUS}


@pass_context
def pii(context, value: Any, kind: str) -> Any:
    """A citizen ID, phone, bank account or address as the signed-in role may see it: masked
    unless the role needs it in full (secdata, R§49)."""
    may = context.get("may") or {}
    return value if may.get(f"pii.full_{kind}") else privacy.mask(value, kind)


FILTERS["pii"] = pii  # secdata
# unemployment: the coded end of an employment (终止就业原因), chosen when an employer's
# enrollment ends
GLOBALS["SEPARATIONS"] = {code: name for code, (name, _)  # unemployment
                          in registration_rules.SEPARATIONS.items()}
LABELS.update({"separation": "终止就业原因", "registration_date": "失业登记日期",  # unemployment
               "certificate_number": "证书编号", "certificate_level": "证书等级",
               "occupation": "职业（工种）", "issued_on": "证书核发日期",
               "refused_on": "拒绝日期"})
