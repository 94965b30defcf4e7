import datetime as dt

import pytest

from jingban.core.errors import PolicyError
from jingban.core.policy import Policy

NATIONAL = """
rate:
  description: 测试费率
  reference: 测试条款
  values:
    2020-01-01: "0.08"
    2024-01-01: "0.07"
ended:
  reference: 测试条款
  values:
    2020-01-01: 1
    2023-01-01: null
"""
REGIONAL = """
rate:
  reference: 地方文件
  values:
    2022-01-01: "0.06"
"""


@pytest.fixture
def pol(tmp_path):
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "a.yaml").write_text(NATIONAL, encoding="utf-8")
    (tmp_path / "330000").mkdir()
    (tmp_path / "330000" / "a.yaml").write_text(REGIONAL, encoding="utf-8")
    return Policy((tmp_path,))


def test_dated_values_and_region_fallback(pol):
    assert pol.value("rate", "110105", dt.date(2023, 6, 1)) == "0.08"
    assert pol.value("rate", "110105", dt.date(2024, 1, 1)) == "0.07"
    assert pol.value("rate", "330106", dt.date(2023, 6, 1)) == "0.06"  # province file


@pytest.mark.parametrize("name,on,code", [
    ("rate", dt.date(2019, 12, 31), "policy.no_value"),
    ("ended", dt.date(2023, 1, 1), "policy.no_value"),
    ("missing", dt.date(2023, 1, 1), "policy.unknown"),
])
def test_no_stale_or_missing_values(pol, name, on, code):
    with pytest.raises(PolicyError) as err:
        pol.value(name, "110105", on)
    assert err.value.code == code


def test_a_parameter_without_legal_reference_is_refused(tmp_path):
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "a.yaml").write_text("x:\n  values:\n    2020-01-01: 1\n")
    with pytest.raises(ValueError):
        Policy((tmp_path,))


def test_shipped_policy_loads(project_root):
    shipped = Policy((project_root / "policy",))
    assert shipped.value("registration.person_deadline_wd", "330106", dt.date(2026, 1, 1)) == 10
    assert shipped.value("contribution.average_monthly_wage", "330106", dt.date(2025, 6, 1)) > 0
