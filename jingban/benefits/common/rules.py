"""Rules every benefit sub-domain shares: months and periods (发放月 YYYYMM), the kinds of
pension, the events that stop an award. Pure functions.
"""

from __future__ import annotations

import datetime as dt

MONTHS = 12


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * MONTHS + month - 1 + months
    return index // MONTHS, index % MONTHS + 1


# --- claims and determination (R§18, D§18) ----------------------------------------------------

PENSION_SCHEMES = ("pension_enterprise", "pension_institution")  # the employees' pension insurances
PENSION_KINDS = ("pension_enterprise", "pension_institution", "pension_resident")


def period_of(year: int, month: int) -> int:
    return year * 100 + month


def next_period(period: int) -> int:
    year, month = add_months(period // 100, period % 100, 1)
    return period_of(year, month)


def previous_period(period: int) -> int:
    year, month = add_months(period // 100, period % 100, -1)
    return period_of(year, month)


def valid_period(period: int) -> bool:
    return 190001 <= period <= 299912 and 1 <= period % 100 <= 12


# --- stops, suspensions, back pay and recovery (R§25, R§26, R§46) -----------------------------

# Stopping events (R§25 解读): what each does to an award, and its name. Death and loss of
# eligibility stop; imprisonment (在押服刑) suspends until release.
STOP_REASONS = {"death": ("stop", "死亡"), "declared_dead": ("stop", "被宣告死亡"),
                "imprisonment": ("suspend", "在押服刑"),
                "nationality_loss": ("stop", "丧失国籍"), "other": ("stop", "其他丧失领取资格情形")}
DEATH_REASONS = ("death", "declared_dead")
# What ends an unemployment benefit (《社会保险法》第五十一条；《失业保险条例》第十五条): each stops
# it from the month after, and the months not drawn are kept for a later claim (第十七条).
UNEMPLOYMENT_STOPS = {"reemployment": "重新就业", "enlistment": "应征服兵役", "emigration": "移居境外",
                      "pension_start": "享受基本养老保险待遇",
                      "refused_work": "无正当理由两次拒不接受推荐的工作或培训"}
# The relationship moved to another pooling region (R§16 解读): the months left go with it.  # agrfin
UNEMPLOYMENT_STOPS["transfer_out"] = "失业保险关系转出本统筹地区"  # agrfin
STOP_REASONS.update({reason: ("stop", name) for reason, name in UNEMPLOYMENT_STOPS.items()})
# What ends a work-injury dependant's pension besides death (劳社部令第18号 第四条)  # injury
INJURY_DEPENDANT_STOPS = {"remarriage": "再婚", "adoption": "被他人收养",  # injury
                          "age_limit": "年满18周岁且未完全丧失劳动能力"}  # injury
STOP_REASONS.update({r: ("stop", name) for r, name in INJURY_DEPENDANT_STOPS.items()})  # injury


def period_of_date(day: dt.date) -> int:
    return day.year * 100 + day.month


def shift_period(period: int, months: int) -> int:
    year, month = add_months(period // 100, period % 100, months)
    return year * 100 + month


# --- the fund that pays each benefit (SPEC §9, 分险种建账) -------------------------------------

# 《社会保险法》第十七条: the funeral grant and survivors' pension of an insured person who dies
# are paid from the basic pension fund (the enterprise employees' one, the only pension whose
# members' survivors are decided here); every other kind is paid by its own insurance's fund.
FUND_OF_KIND = {
    "pension_enterprise": "pension_enterprise",
    "pension_institution": "pension_institution",
    "pension_resident": "pension_resident",
    "survivor": "pension_enterprise",
    # 《失业保险条例》第二十条: an unemployed person who dies while receiving — his funeral grant
    # and survivors' pension are paid by the unemployment fund.
    "survivor_unemployment": "unemployment",
    "training_subsidy": "unemployment",  # 技能提升补贴 (人社部发〔2017〕40号)
    "unemployment": "unemployment",
    "injury": "injury",
    "maternity": "maternity",
    "reimburse_employee": "medical_employee",  # medmat: 医疗费用手工报销（职工医保）
    "reimburse_resident": "medical_resident",  # medmat: 医疗费用手工报销（居民医保）
    "reimburse_maternity": "maternity",  # medmat: 生育医疗费用手工报销
}
FUND_OF_KIND.update({kind: "injury" for kind in (  # injury: 《工伤保险条例》第三十条至第三十九条
    "injury_grant", "injury_allowance", "injury_nursing", "injury_ending", "injury_death",  # injury
    "injury_dependant", "injury_device", "injury_medical")})  # injury
# A debt recorded without its award (older records) was an enterprise pension overpayment,
# the only benefit recovered before awards were linked to debts.
DEBT_FUND_WITHOUT_AWARD = "pension_enterprise"


def fund_of(kind: str | None) -> str:
    """The insurance fund that pays (and takes back) a benefit of ``kind``."""
    return FUND_OF_KIND[kind] if kind else DEBT_FUND_WITHOUT_AWARD
