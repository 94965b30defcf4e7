"""Records rules as unit tests: rates, rounding, interest, contribution years, files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingban.core import policy
from jingban.core.config import PROJECT_ROOT
from jingban.core.errors import InvalidInput, PolicyError
from jingban.records import rules


@pytest.fixture(scope="module")
def param():
    loaded = policy.Policy((PROJECT_ROOT / "policy",))
    return lambda day: (lambda name: loaded.value(name, "330106", day))


def test_rates_by_route_and_class(param):
    p = param(dt.date(2024, 6, 1))
    pension = rules.rates(p, "pension_enterprise", False, None)
    assert (pension.employer, pension.personal, pension.account) == (
        Decimal("0.16"), Decimal("0.08"), Decimal("0.08"))
    flexible = rules.rates(p, "pension_enterprise", True, None)
    assert (flexible.employer, flexible.personal, flexible.account) == (
        0, Decimal("0.20"), Decimal("0.08"))
    assert rules.rates(p, "unemployment", False, None).personal == Decimal("0.005")
    assert rules.rates(p, "injury", False, 3).employer == Decimal("0.007")
    assert rules.rates(p, "injury", False, 3).personal == 0
    assert rules.rates(p, "medical_employee", False, None).employer == Decimal("0.095")
    assert rules.rates(p, "pension_resident", True, None).employer is None
    with pytest.raises(InvalidInput):
        rules.rates(p, "injury", False, None)


def test_rates_before_the_2019_cut(param):
    assert rules.rates(param(dt.date(2019, 4, 1)), "pension_institution", False,
                       None).employer == Decimal("0.20")
    with pytest.raises(PolicyError):
        rules.rates(param(dt.date(2019, 4, 1)), "pension_enterprise", False, None)


def test_due_rounds_half_up_to_the_fen():
    assert rules.due(800000, Decimal("0.16")) == 128000
    assert rules.due(12345, Decimal("0.08")) == 988  # 987.6 fen
    assert rules.due(12350, Decimal("0.005")) == 62  # 61.75 → 62
    assert rules.due(12300, Decimal("0.005")) == 62  # 61.5 → 62 (half-up, not banker's)


@given(st.integers(min_value=0, max_value=10**11),
       st.sampled_from(["0.16", "0.08", "0.005", "0.007", "0.095", "0.20", "0.0262"]))
def test_integer_formula_is_the_decimal_formula(base, rate):
    num, den = rules.fraction(Decimal(rate))
    assert rules.due_exact(base, num, den) == rules.due(base, Decimal(rate))


def test_interest_worked_example():
    """上年末 10,000.00 元，本年记账 7,680.00 元，利率 2.62%:
    10000 × 0.0262 = 262.00；7680 × 0.0262 × 1.083 × 1/2 = 108.957…；合计 370.96 元."""
    assert rules.interest(1_000_000, 768_000, Decimal("0.0262")) == 37096
    assert rules.interest(0, 768_000, Decimal("0.0262")) == 10896


@given(st.integers(min_value=-10**10, max_value=10**10),
       st.integers(min_value=-10**9, max_value=10**9),
       st.sampled_from(["0.0831", "0.0712", "0.0829", "0.0761", "0.0604", "0.0669", "0.0612",
                        "0.0397", "0.0262"]))
def test_interest_in_integers_is_exact(opening, credited, rate):
    a, b, den = rules.interest_fraction(Decimal(rate))
    assert rules.half_up(opening * a + credited * b, den) == \
        rules.interest(opening, credited, Decimal(rate))


def test_published_rates_and_unpublished_years():
    loaded = policy.Policy((PROJECT_ROOT / "policy",))
    assert loaded.value("records.crediting_rate", "330106", dt.date(2016, 1, 1)) == "0.0831"
    assert loaded.value("records.crediting_rate", "330106", dt.date(2024, 1, 1)) == "0.0262"
    for year in (2015, 2025):
        with pytest.raises(PolicyError):
            loaded.value("records.crediting_rate", "330106", dt.date(year, 1, 1))


def test_months_paid_twice_count_once():
    assert rules.actual_months("pension_enterprise", [202401, 202401, 202402, 202312]) == 3
    assert rules.actual_months("pension_resident", [202401, 202406, 202501]) == 24
    assert rules.years_and_months(147) == "12年3个月"


def test_resident_subsidy_by_tier():
    tiers = [[0, 3000], [50000, 6000]]
    assert rules.resident_subsidy(30000, tiers) == 3000
    assert rules.resident_subsidy(50000, tiers) == 6000


def test_deemed_period_rules():
    birth, cutoff = dt.date(1965, 3, 1), dt.date(1995, 12, 31)
    ok = rules.deemed_problem(60, dt.date(1990, 1, 1), dt.date(1994, 12, 31), birth, cutoff, 16)
    assert ok is None
    assert "超过" in rules.deemed_problem(61, dt.date(1990, 1, 1), dt.date(1994, 12, 31), birth,
                                         cutoff, 16)
    assert "之前" in rules.deemed_problem(12, dt.date(1996, 1, 1), dt.date(1996, 12, 31), birth,
                                         cutoff, 16)
    assert "16" in rules.deemed_problem(12, dt.date(1980, 1, 1), dt.date(1980, 12, 31), birth,
                                        cutoff, 16)


def test_decode_utf8_gbk_and_refuse_others():
    assert rules.decode("\ufeffa,b".encode()) == ("a,b", "utf-8")
    assert rules.decode("险种,养老".encode("gbk")) == ("险种,养老", "gbk")
    for bad in ("Müller,café,€".encode("latin-1", errors="replace"), "ab".encode("utf-16"),
                b"\xff\xfe\xfa"):
        with pytest.raises(InvalidInput) as err:
            rules.decode(bad)
        assert err.value.code == "records.file"
