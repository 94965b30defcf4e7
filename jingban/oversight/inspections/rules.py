"""Inspection rules (核查, R§42; R§44): who may be inspected for what, the reproducible random
sample of a plan, the order to correct and when the handover to the administrative department
is due. Pure functions; the periods come from policy/national/oversight_inspections.yaml."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

SUBJECT_KINDS = {"employer": "用人单位", "person": "个人", "institution": "社会保险服务机构"}

# What each kind of subject is inspected for (R§42 第（一）（二）项).
SCOPES = {
    "employer": "社会保险登记和缴费基数申报情况（《社会保险经办条例》第四十二条第（一）项）",
    "person": "社会保险待遇享受情况（《社会保险经办条例》第四十二条第（一）项）",
    "institution": "履行服务协议、执行费用结算项目和标准情况（《社会保险经办条例》第四十二条第（二）项）",
}

STATUSES = {"investigating": "核查中", "clean": "未发现违规（已结案）", "ordered": "已责令改正",
            "corrected": "已改正（已结案）", "handed_over": "已移交行政部门"}
OPEN_STATUSES = ("investigating", "ordered")

PLAN_METHODS = {"random": "随机抽查", "targeted": "定向核查"}

# R§44: the administrative departments a matter is handed over to.
DEPARTMENTS = {"hrss": "人力资源社会保障行政部门", "healthcare": "医疗保障行政部门"}

BASIS_INSPECT = "《社会保险经办条例》第四十二条"
BASIS_ORDER = "《社会保险经办条例》第四十四条（发现违反社会保险法律、法规、规章的，应当责令改正）"
BASIS_HANDOVER = ("《社会保险经办条例》第四十四条（对拒不改正或者依法应当由人力资源社会保障行政部门、"
                  "医疗保障行政部门处理的，及时移交）")


def sample(population: Sequence[str], size: int, seed: int) -> list[str]:
    """随机抽取核查对象: the same population (in any order) and seed give the same draw, so a
    plan can be re-drawn and checked later (国办发〔2015〕58号 随机抽查; R§42)."""
    ordered = sorted(set(population))
    if size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


def correction_problem(days: int, longest: int) -> str | None:
    """Why an order's period is not acceptable, or None (R§44: 责令改正 within a stated time)."""
    if days < 1:
        return "改正期限至少为1个工作日"
    if days > longest:
        return f"改正期限不得超过{longest}个工作日"
    return None


def handover_problem(status: str, correct_by: dt.date | None, today: dt.date,
                     refer: bool) -> str | None:
    """Why a matter may not be handed over yet, or None (R§44): once the order to correct has
    gone unheeded past its deadline, or at once when the matter falls to the department."""
    if status != "ordered":
        return f"核查当前状态为“{STATUSES.get(status, status)}”，只有已责令改正且未改正的才能移交"
    if refer:
        return None
    if correct_by is None or today <= correct_by:
        return f"改正期限（{correct_by}）尚未届满，期限届满仍未改正的方可移交"
    return None


def handover_number(handed_over_on: dt.date, inspection_id: int) -> str:
    """移交书编号: the day and the inspection, unique and readable."""
    return f"YJ{handed_over_on:%Y%m%d}{inspection_id:06d}"
