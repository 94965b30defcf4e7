"""Rules of breach handling (R§43): the measures, their checks, and when a decision may be made.

Each measure is decided only after the institution was told and has stated its case
(陈述、申辩) or its period ran out; a department is suspended for a whole number of months
inside the bounds the policy sets (1–12).
"""

from __future__ import annotations

import calendar
import datetime as dt

BASIS = "《社会保险经办条例》第四十三条"
MEASURES = {
    "urge": "督促履行服务协议",
    "withhold": "暂停或者不予拨付费用",
    "recover": "追回违规费用",
    "suspend_department": "中止所在部门涉及社会保险基金使用的社会保险服务",
    "terminate": "解除服务协议",
}
STATUSES = {"noticed": "已告知，陈述申辩期内", "stated": "已陈述申辩", "deciding": "决定审批中",
            "decided": "已决定执行", "dropped": "不予处理"}
OPEN = ("noticed", "stated", "deciding")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def suspension_end(start: dt.date, months: int) -> dt.date:
    """The last day of a suspension of ``months`` months starting on ``start``."""
    return add_months(start, months) - dt.timedelta(days=1)


def measure_problem(measure: str, *, months: int | None, amount_fen: int | None,
                    department_id: int | None, period_to: dt.date | None,
                    termination_kind: str | None, today: dt.date,
                    bounds: dict) -> tuple[str, str, str] | None:
    """(code, message, field) when the measure lacks what it needs (R§43)."""
    if measure == "suspend_department":
        if department_id is None:
            return "breach.department", "中止部门服务须指明所在部门", "department_id"
        low, high = int(bounds["min"]), int(bounds["max"])
        if months is None or not low <= months <= high:
            return ("breach.months", f"中止部门服务的期限应为{low}至{high}个月（{BASIS}）", "months")
    if measure in ("recover",) and not amount_fen or (amount_fen is not None and amount_fen < 0):
        return "breach.amount", "追回违规费用须填写大于零的金额", "amount"
    if measure == "withhold" and (period_to is None or period_to < today):
        return "breach.period", "暂停拨付须填写不早于今日的截止日期", "period_to"
    if measure == "terminate" and termination_kind not in ("breach", "illegal", "other"):
        return "breach.termination_kind", "解除服务协议须注明解除原因：违约、违法或其他", "termination_kind"
    return None


def decision_problem(status: str, today: dt.date, statement_due: dt.date) -> tuple[str, str] | None:
    """No decision before the institution has stated its case or its period has run out."""
    if status not in ("noticed", "stated"):
        return "breach.status", f"当前状态为“{STATUSES.get(status, status)}”，不能作出决定"
    if status == "noticed" and today <= statement_due:
        return "breach.statement_period", (
            f"陈述申辩期限至{statement_due.isoformat()}，服务机构陈述申辩或期限届满前不得作出决定（{BASIS}）")
    return None
