import datetime as dt

import pytest

from jingban.registration import rules


def test_exclusive_keys():
    assert rules.exclusive_key("pension_enterprise", 1) == rules.exclusive_key("pension_resident", None)
    assert rules.exclusive_key("medical_employee", 1) == rules.exclusive_key("medical_resident", None)
    assert rules.exclusive_key("injury", 1) != rules.exclusive_key("injury", 2)
    assert rules.exclusive_key("unemployment", 1) == rules.exclusive_key("unemployment", 2)


@pytest.mark.parametrize("insurance,kind,ok", [
    ("pension_enterprise", "enterprise", True),
    ("pension_enterprise", None, True),  # 灵活就业
    ("pension_enterprise", "institution", False),
    ("pension_institution", "government", True),
    ("pension_institution", "enterprise", False),
    ("pension_resident", None, True),
    ("pension_resident", "enterprise", False),
    ("medical_resident", "enterprise", False),
    ("unemployment", None, False),
    ("injury", None, False),
    ("maternity", "enterprise", True),
])
def test_enrollment_routes(insurance, kind, ok):
    assert (rules.enrollment_route_problem(insurance, kind) is None) == ok


def test_base_limits_round_half_up():
    assert rules.base_limits(770000, "0.60", "3.00") == (462000, 2310000)
    assert rules.base_limits(743625, "0.60", "3.00") == (446175, 2230875)
    assert rules.base_limits(100001, "0.605", "3") == (60501, 300003)


def test_start_date_limits():
    today, birth = dt.date(2026, 11, 24), dt.date(1990, 1, 1)
    assert rules.start_date_problem(dt.date(2026, 10, 1), today, 1, birth, None) is None
    assert rules.start_date_problem(dt.date(2026, 12, 31), today, 1, birth, None) is None
    assert "补缴" in rules.start_date_problem(dt.date(2026, 9, 30), today, 1, birth, None)
    assert rules.start_date_problem(dt.date(2027, 1, 1), today, 1, birth, None)
    assert "出生" in rules.start_date_problem(dt.date(2026, 10, 1), today, 1, dt.date(2026, 10, 2),
                                              None)
    assert "单位" in rules.start_date_problem(dt.date(2026, 10, 1), today, 1, birth,
                                              dt.date(2026, 11, 1))


def test_end_of_month():
    assert rules.end_of_month(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    assert rules.end_of_month(dt.date(2026, 12, 31)) == dt.date(2026, 12, 31)
