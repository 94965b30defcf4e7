"""Payroll rules (SPEC §6 payroll): which months may be paid. Pure functions.
"""

from __future__ import annotations

from jingban.benefits.common.rules import next_period


# --- the payroll's months (policy choice, SPEC §6 payroll) -------------------------------------
# A month may be paid when (a) it is not later than next month (a payroll runs ahead at most one
# month); (b) it is not earlier than the first month any award is due (``start_period``), since
# before that nothing can be owed and a run would be an empty month closed for ever; and (c) the
# months go forward: once a month has been run, a new run is allowed only after the latest run,
# only once that run is completed, and not over a skipped month in which an award was due (a
# month with nobody to pay may be left without a run). A skipped month is refused rather than
# caught up silently: the accountant runs the missing month first, so every month has its own
# run, bank file and totals (and its payments are never mixed into another month's lines). The
# first run of a new installation may start at any month allowed by (a) and (b): months before
# it were paid by the system it replaces.
def payroll_period_problem(period: int, current: int, earliest_due: int | None,
                           latest_run: tuple[int, str] | None,
                           skipped_due: int | None = None) -> str | None:
    """Why a payroll run may not be started for ``period``, or None. ``skipped_due``: the
    first month between the latest run and ``period`` in which an award was due, if any."""
    if period > next_period(current):
        return "不能提前发放下月以后的待遇"
    if earliest_due is None or period < earliest_due:
        return "该月份之前没有应发的待遇，不能发放"
    if latest_run is not None:
        last, status = latest_run
        if period < last:
            return f"已发放至{last // 100}年{last % 100}月，不能补建更早月份的发放批次"
        if status != "completed":
            return f"{last // 100}年{last % 100}月的发放批次尚未完成，请先续跑完成"
        if skipped_due is not None:
            return (f"{skipped_due // 100}年{skipped_due % 100}月有应发待遇但尚未发放，"
                    "请按月依次发放，不能跳过月份")
    return None
