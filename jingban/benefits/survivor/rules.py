"""Survivor benefit rules (遗属待遇, R§19; 人社部发〔2021〕18号). Pure functions.
"""

from __future__ import annotations

from jingban.benefits.common.rules import MONTHS


def survivor_months(contribution_months: int, pension_months_received: int | None,
                    table: dict) -> int:
    """抚恤金月数 (人社部发〔2021〕18号 第二条). ``pension_months_received`` is None for a person
    who died before retiring. The year thresholds (5, 10, 15) come from the policy table too."""
    years = contribution_months // MONTHS  # full years count
    if contribution_months < table["short_years"] * MONTHS:
        months = table["under_5"]
    elif contribution_months < table["mid_years"] * MONTHS:
        months = table["under_10"]
    else:
        months = table["up_to_15"] + max(0, years - table["full_years"])
    months = min(months, table["max"])
    if pension_months_received is not None:
        months = max(months - pension_months_received // MONTHS, table["retiree_min"])
    return months


# Under this many years of contributions the funeral grant and survivor pension together are
# capped at what the person paid in (人社部发〔2021〕18号 第三条); the same threshold as the
# ``short_years`` of the ``survivor.months`` policy, which a caller passes as ``table``.
SURVIVOR_CAP_YEARS = 5


def survivor_benefits(monthly_income: int, funeral_multiple: int, months: int,
                      contribution_months: int, own_contributions: int | None,
                      table: dict | None = None) -> tuple[int, int]:
    """(funeral grant, survivor pension) in fen; under 5 years of contributions the two together
    may not exceed what the person paid in (人社部发〔2021〕18号 第三条)."""
    funeral, pension = monthly_income * funeral_multiple, monthly_income * months
    cap_years = table["short_years"] if table else SURVIVOR_CAP_YEARS
    if contribution_months < cap_years * MONTHS and own_contributions is not None:
        total = funeral + pension
        if total > own_contributions:
            funeral = min(funeral, own_contributions)
            pension = own_contributions - funeral
    return funeral, pension


def unemployed_survivor_benefits(monthly_income: int, table: dict) -> tuple[int, int]:
    """(funeral grant, survivor pension) in fen of a person who dies while receiving
    unemployment benefit (《社会保险法》第四十九条; 《失业保险条例》第二十条): the local rule for
    employees who die in service (policy ``unemployment.survivor``), whatever the person's
    pension contribution years and without the under-5-years cap of the pension fund's rule."""
    return monthly_income * int(table["funeral_multiple"]), monthly_income * int(table["pension_months"])
