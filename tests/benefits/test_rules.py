"""Hand-computed pension examples (SPEC §6)."""

from decimal import Decimal

import pytest

from jingban.benefits.pension import rules
from jingban.benefits.survivor import rules as survivor_rules
from jingban.core.config import PROJECT_ROOT
from jingban.core.policy import Policy

POLICY = Policy((PROJECT_ROOT / "policy",))
ON = __import__("datetime").date(2026, 1, 1)
SCHEDULE = POLICY.value("retirement.schedule", "330106", ON)
MINIMUM = POLICY.value("pension.min_contribution_months", "330106", ON)
PAYOUT = POLICY.value("pension.payout_months", "330106", ON)
SURVIVOR = POLICY.value("survivor.months", "330106", ON)


@pytest.mark.parametrize("category,year,month,age,label", [
    ("male", 1965, 1, 721, "2025-02"),       # SPEC's own examples
    ("male", 1965, 5, 722, "2025-07"),
    ("male", 1966, 3, 724, "2026-07"),       # n = 15 → ⌈15/4⌉ = 4 months
    ("male", 1964, 12, 720, "2024-12"),      # before the reform: no delay
    ("male", 1980, 1, 756, "2043-01"),       # capped at 63
    ("female_55", 1971, 1, 664, "2026-05"),  # n = 13 → 4 months
    ("female_50", 1976, 6, 609, "2027-03"),  # n = 18 → ⌈18/2⌉ = 9 months
    ("female_50", 2000, 1, 660, "2055-01"),  # capped at 55
])
def test_retirement_age_and_month(category, year, month, age, label):
    result = rules.retirement(year, month, SCHEDULE[category])
    assert (result.age_months, result.label) == (age, label)


@pytest.mark.parametrize("year,months", [(2026, 180), (2029, 180), (2030, 186), (2035, 216),
                                         (2039, 240), (2045, 240)])
def test_minimum_contribution_months(year, months):
    assert rules.min_contribution_months(year, MINIMUM) == months


def test_flexible_retirement():
    statutory, original = 724, 720
    assert rules.flexible_problem(statutory, original, 720, 200, 180, 36) is None
    assert "原法定退休年龄" in rules.flexible_problem(statutory, original, 719, 200, 180, 36)
    assert "最低缴费" in rules.flexible_problem(statutory, original, 722, 170, 180, 36)
    assert rules.flexible_problem(statutory, original, 760, 100, 180, 36) is None
    assert "延迟" in rules.flexible_problem(statutory, original, 761, 200, 180, 36)


def test_basic_pension_with_deemed_years():
    # (7700 + 7700 × 1.2) / 2 × 30 × 1% = 2541.00
    assert rules.basic_pension(770000, Decimal("1.2"), 360, Decimal("0.01")) == 254100
    # 20 years paid + 5 deemed, index 1.0: 7700 × 25 × 1% = 1925.00
    assert rules.basic_pension(770000, Decimal("1"), 300, Decimal("0.01")) == 192500


def test_account_pension_and_payout_months():
    assert rules.payout_months(720, PAYOUT, "interpolate") == 139
    assert rules.account_pension(13900000, Decimal(139)) == 100000
    months = rules.payout_months(724, PAYOUT, "interpolate")  # 139 − 7 × 4/12
    assert months.quantize(Decimal("0.0001")) == Decimal("136.6667")
    assert rules.account_pension(13900000, months) == 101707
    assert rules.payout_months(724, PAYOUT, "floor") == 139
    assert rules.payout_months(600, PAYOUT, "interpolate") == 195  # 50 → 195


@pytest.mark.parametrize("months,received,expected", [
    (36, None, 3), (60, None, 6), (119, None, 6), (120, None, 9), (186, None, 9),
    (198, None, 10), (480, None, 24),
    (360, 72, 18),   # a retiree: 24 months for 30 years, less 6 full years of pension
    (360, 250, 9),   # never under 9
])
def test_survivor_months(months, received, expected):
    assert survivor_rules.survivor_months(months, received, SURVIVOR) == expected


def test_survivor_benefits_after_six_years_of_pension():
    months = survivor_rules.survivor_months(360, 6 * 12, SURVIVOR)
    assert survivor_rules.survivor_benefits(643300, 2, months, 360, None) == (1286600, 11579400)


def test_under_five_years_capped_at_own_contributions():
    months = survivor_rules.survivor_months(36, None, SURVIVOR)
    assert survivor_rules.survivor_benefits(643300, 2, months, 36, 500000) == (500000, 0)
    assert survivor_rules.survivor_benefits(643300, 2, months, 36, 3000000) == (1286600, 1713400)
    assert survivor_rules.survivor_benefits(643300, 2, months, 36, 4000000) == (1286600, 1929900)
