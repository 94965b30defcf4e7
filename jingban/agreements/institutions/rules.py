"""Rules of service institutions and agreements (R§33, R§61; seed 003 十二（五）).

Pure functions: the re-sign ban after a termination (Z-12(5)), the grade of a yearly
evaluation, whether an agreement may be renewed, and the check of a dated term.
"""

from __future__ import annotations

import datetime as dt

BASIS_R61 = "《社会保险经办条例》第六十一条"
BASIS_BAN = "郑人社〔2016〕27号 十二、法律责任（五）"

# R§61: the institutions that sign service agreements with the agency.
INSTITUTION_KINDS = {
    "medical": "定点医疗机构", "pharmacy": "定点零售药店", "rehab": "工伤康复机构",
    "device": "辅助器具配置机构", "training": "失业保险委托培训机构", "bank": "社会保险待遇代发银行",
}
AGREEMENT_KINDS = {
    "medical": "医疗保险服务协议", "injury": "工伤保险服务协议", "rehab": "工伤康复服务协议",
    "device": "辅助器具配置服务协议", "training": "失业保险职业培训服务协议",
    "payment": "社会保险待遇代发服务协议",
}
CATEGORIES = {"甲": "甲类（全额纳入支付范围）", "乙": "乙类（先行自付一定比例）", "丙": "丙类（全部自付）"}
STATUSES = {
    "applied": "已申请", "reviewed": "评估通过", "rejected": "评估未通过", "contracted": "已签协议",
    "suspended": "协议中止", "terminated": "协议已解除", "expired": "协议已到期",
}
AGREEMENT_STATUSES = {"signed": "履行中", "suspended": "中止", "terminated": "已解除", "expired": "已到期"}
TERMINATION_KINDS = {"breach": "违约（违规）解除", "illegal": "违法解除", "other": "其他原因解除"}
GRADES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def resign_possible_from(terminated_on: dt.date, kind: str | None, ban_years: dict) -> dt.date | None:
    """Z-12(5): after a termination for a breach no agreement within one year, for an illegal
    act within two years, counted from the day of termination. None when there is no ban."""
    years = int(ban_years.get(kind or "", 0) or 0)
    return add_years(terminated_on, years) if years else None


def resign_problem(terminated_on: dt.date | None, kind: str | None, today: dt.date,
                   ban_years: dict) -> tuple[str, str] | None:
    """(code, message) when the institution may not sign again today, naming the first day it may."""
    if terminated_on is None:
        return None
    possible = resign_possible_from(terminated_on, kind, ban_years)
    if possible is None or today >= possible:
        return None
    years = {1: "一年", 2: "两年"}.get(int(ban_years[kind]), f"{ban_years[kind]}年")
    return ("agreement.resign_ban",
            f"该机构于{terminated_on.isoformat()}因{TERMINATION_KINDS[kind]}服务协议，自解除之日起{years}内"
            f"不得再次签订（{BASIS_BAN}），{possible.isoformat()}起方可重新签订")


def grade(score: int, bands: dict) -> str:
    """The grade of a yearly evaluation (policy agreements.evaluation.grades)."""
    for name in ("excellent", "good", "pass"):
        if score >= int(bands[name]):
            return name
    return "fail"


def renewal_problem(last_grade: str | None, year: int | None) -> tuple[str, str] | None:
    """A renewal needs a yearly evaluation of at least 合格 (R§43 解读: 考评 weighs on renewal)."""
    if last_grade is None:
        return "agreement.no_evaluation", "续签前须完成年度考核评价（《社会保险经办条例》第四十三条解读）"
    if last_grade == "fail":
        return ("agreement.evaluation_failed",
                f"{year}年度考核评价不合格，不予续签服务协议（《社会保险经办条例》第四十三条解读）")
    return None


def term_problem(starts_on: dt.date, ends_on: dt.date, max_years: int) -> tuple[str, str, str] | None:
    """(code, message, field) when the term is not a forward period of at most ``max_years``."""
    if ends_on <= starts_on:
        return "agreement.term", "协议终止日期须晚于起始日期", "ends_on"
    if ends_on >= add_years(starts_on, max_years):
        return "agreement.term_long", f"一份服务协议的期限不得超过{max_years}年", "ends_on"
    return None
