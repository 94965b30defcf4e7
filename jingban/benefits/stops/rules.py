"""Stop, suspension and resumption rules (R§25, R§26): what an event does to an award, from
which month, what back pay is due. Pure functions.
"""

from __future__ import annotations

import datetime as dt

from jingban.benefits.common import rules as common_rules  # injury
from jingban.benefits.common.rules import UNEMPLOYMENT_STOPS, period_of_date, shift_period

# Loss of nationality stops the resident pension only (R§25 解读（一）3).
NATIONALITY_KINDS = ("pension_resident",)
# A dependant's benefit (遗属待遇) names the deceased insured person; his death stops nothing.
DEPENDANT_KINDS = ("survivor", "survivor_unemployment")
RESUME_REASONS = {"release": "刑满释放（或假释、监外执行）", "wrong_match": "比对信息有误（错误匹配）"}


def stop_applies(reason: str, award_kind: str) -> bool:
    """Whether a stopping event concerns an award of this kind (R§25 解读)."""
    if reason == "pension_start" and award_kind == "injury_allowance":  # injury: 第三十五条第二款
        return True  # injury
    if reason in UNEMPLOYMENT_STOPS:
        return award_kind == "unemployment"
    if reason in common_rules.INJURY_DEPENDANT_STOPS:  # injury
        return award_kind == "injury_dependant"  # injury
    if reason in ("death", "declared_dead", "imprisonment", "other"):
        return award_kind not in DEPENDANT_KINDS or reason == "imprisonment"
    return reason == "nationality_loss" and award_kind in NATIONALITY_KINDS


def effective_period(event_day: dt.date) -> int:
    """The first month no longer due: the month after the event (death: paid to the month of
    death, stopped from the next; R§25 解读, SPEC §12)."""
    return shift_period(period_of_date(event_day), 1)


def overpaid(payments: list[tuple[int, int]], effective: int) -> tuple[list[int], int]:
    """(months, gross total) of the payments made for months from ``effective`` on: what was
    paid after the right ended is an overpayment to be ordered back (R§46)."""
    months = sorted(period for period, _ in payments if period >= effective)
    return months, sum(gross for period, gross in payments if period >= effective)


def resume_period(reason: str, suspended_from: int, release_day: dt.date) -> int:
    """From which month a suspended award is due again: after a release, the month after it
    (nothing is due for the months in custody, 劳社部函〔2001〕44号); after a wrong match, from
    the suspension itself (nothing should have been withheld)."""
    if reason == "wrong_match":
        return suspended_from
    return max(suspended_from, effective_period(release_day))


def back_pay_periods(start: int, through: int, paid: set[int]) -> list[int]:
    """补发: every month from ``start`` to ``through`` that has no payment yet (never twice)."""
    months, period = [], start
    while period <= through:
        if period not in paid:
            months.append(period)
        period = shift_period(period, 1)
    return months
