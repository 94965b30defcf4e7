"""Monitor rules: what each monitor looks for, its basis, and its thresholds. Pure functions.

The threshold tests take plain integers or SQL column expressions alike (only ``+ - * >= <=``
and ``& |``), so the batch's set-based statements and the tests apply the very same rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jingban.core.money import format_yuan

_Z = "郑州通知（郑人社〔2016〕27号）"

# code -> (name, legal basis)
MONITORS = {
    "death_payment": ("死亡后仍发放待遇",
                      f"{_Z}第五部分(三)(五)3（领取待遇人员死亡后继续领取）；《社会保险经办条例》第二十六条、第四十四条"),
    "duplicate_benefit": ("重复领取待遇",
                          f"{_Z}第五部分(五)2（重复领取养老金）、第十一部分(七)；《城乡养老保险制度衔接暂行办法》第八条"),
    "duplicate_enrollment": ("重复参保",
                             f"{_Z}第四部分(二)（重复参保嫌疑）、第十一部分(七)；《社会保险经办条例》第四十二条"),
    "base_change": ("缴费基数突变",
                    f"{_Z}第四部分(三)（异常缴费）、第十二部分(四)1（擅自更改缴费基数）"),
    "headcount_change": ("单位缴费人数突变",
                         f"{_Z}第四部分(三)（异常缴费或停保）、第十二部分(四)1（擅自更改缴费人数）"),
    "pension_contributing": ("领取养老金期间仍由单位缴费",
                             f"{_Z}第五部分(五)2（隐瞒已领取养老保险待遇的事实）；《社会保险经办条例》第四十二条"),
}
ORDER = tuple(MONITORS)

HIT_STATUS = {"open": "待核查", "explained": "已说明（关闭）", "inspection": "已转核查"}
SUBJECT_KINDS = {"person": "参保人", "employer": "用人单位"}

# Awards paid after the insured person's death by their nature: survivors' benefits go to the
# dependants of the deceased (《社会保险法》第十七条、第三十八条).
PAID_AFTER_DEATH = ("survivor", "survivor_unemployment")
DEATH_REASONS = ("death", "declared_dead")

# Benefits a person receives at most once at a time, whatever the scheme: one basic pension
# (《城乡养老保险制度衔接暂行办法》第八条: 同时领取城镇职工养老保险和城乡居民养老保险待遇的，
# 终止城乡居民养老保险关系，清退重复领取的待遇).
BENEFIT_FAMILIES = {"pension": ("pension_enterprise", "pension_institution", "pension_resident")}
FAMILY_NAMES = {"pension": "基本养老金", "medical": "基本医疗保险", "unemployment": "失业保险",
                "maternity": "生育保险"}

# Transfers that carry a pension relationship to another region: once completed, the pension
# is due where the relationship now is (国办发〔2009〕66号第六条).
REGION_TRANSFERS = ("pension_enterprise", "pension_cross", "pension_resident")

# The employees' pension insurances: the base that a pension is computed from (指数化工资), and
# whose contributions by an employer stop once the pension is drawn.
PENSION_SCHEMES = ("pension_enterprise", "pension_institution")
PENSION_KINDS = BENEFIT_FAMILIES["pension"]


def period_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def window(on: dt.date, months: int) -> tuple[int, int]:
    """The first and last 费款所属期 a change monitor looks at: ``months`` months to ``on``'s."""
    index = on.year * 12 + on.month - 1 - (months - 1)
    return (index // 12) * 100 + index % 12 + 1, period_of(on)


def previous_period(period: int) -> int:
    index = (period // 100) * 12 + period % 100 - 2
    return (index // 12) * 100 + index % 12 + 1


def base_jumped(before: Any, after: Any, rise_percent: Any, fall_percent: Any) -> Any:
    """缴费基数突变: the base rose by ``rise_percent`` or fell by ``fall_percent`` of the month
    before (Z-4(3), Z-12(4)1)."""
    return ((after * 100 >= before * (100 + rise_percent))
            | (after * 100 <= before * (100 - fall_percent)))


def headcount_jumped(before: Any, after: Any, percent: Any, min_change: Any) -> Any:
    """缴费人数突变: up or down by ``percent`` of the month before and by ``min_change``
    persons at least (Z-4(3), Z-12(4)1)."""
    rose = (after - before >= min_change) & ((after - before) * 100 >= before * percent)
    fell = (before - after >= min_change) & ((before - after) * 100 >= before * percent)
    return rose | fell


def month_label(period: int | None) -> str:
    return f"{period // 100}年{period % 100:02d}月" if period else ""


def _yuan(fen: int | None) -> str:
    return format_yuan(fen or 0)


def describe(monitor: str, fact_key: str, *, fact_date: dt.date | None, period: int | None,
             value_before: int | None, value_after: int | None, amount: int | None,
             months: int | None, ref: str, names: dict[str, str]) -> str:
    """The hit in words, for the inspector's list and the export. ``names``: insurance and
    award kind codes to their Chinese names."""
    start = month_label(period)
    if monitor == "death_payment":
        return (f"死亡日期 {fact_date}，其后仍发放待遇 {months} 个月（自{start}起），"
                f"共 {_yuan(amount)} 元")
    if monitor == "duplicate_benefit" and fact_key.startswith("region:"):
        return (f"养老保险关系已于 {fact_date} 转出至 {ref}，其后仍在本地发放 {months} 个月"
                f"（自{start}起），共 {_yuan(amount)} 元")
    if monitor == "duplicate_benefit":
        kinds = "、".join(names.get(k, k) for k in ref.split("+"))
        return f"同时领取{kinds} {months} 个月（自{start}起），重复发放 {_yuan(amount)} 元"
    if monitor == "duplicate_enrollment" and fact_key.startswith("overlap:"):
        kinds = "与".join(names.get(k, k) for k in ref.split("+"))
        return f"{kinds}参保期间重叠（自 {fact_date} 起）"
    if monitor == "duplicate_enrollment":
        return f"同一月份由两处缴费（{ref}）{months} 个月，自{start}起"
    if monitor == "base_change":
        return f"{start}缴费基数由 {_yuan(value_before)} 元变为 {_yuan(value_after)} 元"
    if monitor == "headcount_change":
        return f"{start}缴费人数由 {value_before} 人变为 {value_after} 人"
    if monitor == "pension_contributing":
        return (f"自{month_label(value_before)}起领取养老金，其后仍由用人单位缴费 {months} 个月"
                f"（自{start}起），共 {_yuan(amount)} 元")
    return fact_key


def explain_problem(status: str) -> str | None:
    """Only an open hit is explained or turned into an inspection."""
    if status == "open":
        return None
    return f"该疑点已{HIT_STATUS.get(status, status)}，不能再处理"
