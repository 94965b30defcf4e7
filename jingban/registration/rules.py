"""Registration rules (SPEC §3). Pure functions; each cites its basis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jingban.core.money import round_fen

EMPLOYER_KINDS = {
    "enterprise": "企业",
    "government": "机关",
    "institution": "事业单位",
    "social_org": "社会组织",
    "individual_business": "有雇工的个体工商户",
    "other": "其他",
}

INSURANCES = {
    "pension_enterprise": "企业职工基本养老保险",
    "pension_institution": "机关事业单位基本养老保险",
    "pension_resident": "城乡居民基本养老保险",
    "medical_employee": "职工基本医疗保险",
    "medical_resident": "城乡居民基本医疗保险",
    "injury": "工伤保险",
    "unemployment": "失业保险",
    "maternity": "生育保险",
}

# Scheme families: a person holds at most one active enrollment per family (重复参保, SPEC §3).
FAMILY = {
    "pension_enterprise": "pension", "pension_institution": "pension",
    "pension_resident": "pension", "medical_employee": "medical",
    "medical_resident": "medical", "injury": "injury", "unemployment": "unemployment",
    "maternity": "maternity",
}

# How each insurance may be joined (社会保险法 第十条、第二十三条、第三十三条、第四十四条、第五十三条;
# 城乡居民养老/医疗 by individuals only; 灵活就业 may join enterprise pension and employee medical).
THROUGH_EMPLOYER = {"pension_enterprise", "pension_institution", "medical_employee", "injury",
                    "unemployment", "maternity"}
INDIVIDUAL = {"pension_enterprise", "medical_employee", "pension_resident", "medical_resident"}
NEEDS_BASE = {"pension_enterprise", "pension_institution", "medical_employee", "injury",
              "unemployment", "maternity"}
INSTITUTION_EMPLOYERS = {"government", "institution"}

CARD_KINDS = {"ss_card": "社会保障卡", "ss_ecard": "电子社会保障卡", "medical_evoucher": "医保电子凭证"}
CARD_STATUS = {"applied": "已申领", "issued": "已制发", "active": "已启用", "lost": "已挂失",
               "replaced": "已补换", "revoked": "已注销"}
# Allowed status changes per card kind (R§7: 实体卡与电子卡具有同等效力).
CARD_TRANSITIONS = {
    "ss_card": {"applied": {"issued", "revoked"}, "issued": {"active", "revoked"},
                "active": {"lost", "revoked"}, "lost": {"active", "replaced", "revoked"}},
    "ss_ecard": {"applied": {"active", "revoked"}, "active": {"revoked"}},
    "medical_evoucher": {"applied": {"active", "revoked"}, "active": {"revoked"}},
}
CARD_TERMINAL = {"replaced", "revoked"}

LIABILITY_KINDS = {"arrears": "欠缴社会保险费", "late_fee": "滞纳金", "fine": "罚款"}


def exclusive_key(insurance: str, employer_id: int | None) -> str:
    """Work injury is owed by each employer of a person with several jobs
    (《实施〈社会保险法〉若干规定》第九条); every other family is exclusive."""
    family = FAMILY[insurance]
    return f"injury:{employer_id or 0}" if family == "injury" else family


def enrollment_route_problem(insurance: str, employer_kind: str | None) -> str | None:
    """Why an insurance cannot be joined this way, or None."""
    name = INSURANCES[insurance]
    if employer_kind is None:
        return None if insurance in INDIVIDUAL else f"{name}须通过用人单位参保"
    if insurance not in THROUGH_EMPLOYER:
        return f"{name}由个人参保，不能通过用人单位登记"
    if insurance == "pension_institution" and employer_kind not in INSTITUTION_EMPLOYERS:
        return "机关事业单位基本养老保险仅适用于机关和事业单位"
    if insurance == "pension_enterprise" and employer_kind in INSTITUTION_EMPLOYERS:
        return "机关事业单位工作人员应参加机关事业单位基本养老保险"
    return None


def base_limits(average_monthly_wage: int, floor_ratio: str, ceiling_ratio: str) -> tuple[int, int]:
    """Contribution base floor and ceiling in fen: 60 % and 300 % of the average wage
    (国办发〔2019〕13号 第三条)."""
    avg = Decimal(average_monthly_wage)
    return round_fen(avg * Decimal(floor_ratio)), round_fen(avg * Decimal(ceiling_ratio))


def start_date_problem(start: dt.date, today: dt.date, backdate_months: int,
                       birth_date: dt.date, employer_registered: dt.date | None) -> str | None:
    """Enrollment may not start before birth, before the employer existed, in the future
    beyond next month, or further back than the policy allows (older periods go through
    一次性补缴)."""
    if start < birth_date:
        return "参保开始日期早于出生日期"
    if employer_registered and start < employer_registered:
        return "参保开始日期早于单位参保登记日期"
    earliest = _month_start(today, -backdate_months)
    latest = _month_start(today, 2) - dt.timedelta(days=1)
    if start < earliest:
        return f"参保开始日期不能早于{earliest}，更早的期间须办理补缴"
    if start > latest:
        return f"参保开始日期不能晚于{latest}"
    return None


def _month_start(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def end_of_month(day: dt.date) -> dt.date:
    return _month_start(day, 1) - dt.timedelta(days=1)


def retirement_category_problem(sex: str, category: str | None) -> str | None:
    """男职工 are "male"; women are female_55 (原法定退休年龄55岁，女干部) or female_50 (原50岁，
    女工人) — the category decides the retirement age (《国务院关于渐进式延迟法定退休年龄的办法》)."""
    if category is None:
        return None
    if (sex == "M") != (category == "male"):
        return "退休人员类别与性别不符"
    return None


def default_retirement_category(sex: str) -> str | None:
    """Men have one category; a woman's must be recorded from her file (干部/工人)."""
    return "male" if sex == "M" else None


# 终止就业原因 (coded on the enrollment when an employer's enrollment ends): whether each is an
# end of employment "非因本人意愿中断就业" (《失业保险条例》第十四条；《失业保险金申领发放办法》
# 第四条), which the unemployment claim requires. (name, involuntary)
SEPARATIONS = {
    "contract_expired": ("劳动合同期满终止", True),
    "dismissed": ("被用人单位解除劳动合同", True),
    "discharged": ("被用人单位开除、除名或辞退", True),
    "employer_closed": ("用人单位破产、撤销、解散或被吊销营业执照等终止劳动合同", True),
    "employer_fault": ("因用人单位过错由本人解除劳动合同（劳动合同法第三十八条）", True),
    "mutual_by_employer": ("用人单位提出、双方协商一致解除劳动合同", True),
    "resigned": ("本人提出解除劳动合同（辞职）", False),
    "mutual_by_person": ("本人提出、双方协商一致解除劳动合同", False),
    "retired": ("退休", False),
    "other": ("其他原因", False),
}
