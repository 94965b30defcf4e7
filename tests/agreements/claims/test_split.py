"""The policy split (起付线, 甲/乙/丙, 封顶线) computed by hand to the fen."""

import datetime as dt

import pytest

from jingban.agreements.claims import split
from jingban.core import policy
from jingban.core.config import PROJECT_ROOT
from jingban.core.errors import InvalidInput

PARAMS = split.Params(deductible_fen=80000, fund_share_bp=8500, annual_cap_fen=40000000,
                      category_self_pay_bp={"甲": 0, "乙": 1000, "丙": 10000})


def test_deductible_two_categories_and_the_cap_by_hand():
    # 甲 3000.00 + 乙 2000.00 (10% first self-paid) + 丙 500.00 = 5500.00 yuan
    lines = [split.BillLine(300000, "甲"), split.BillLine(200000, "乙", 1000),
             split.BillLine(50000, "丙")]
    # 丙 500.00 all self; 乙 first self-pay 2000.00 × 10% = 200.00
    # in policy 3000.00 + 1800.00 = 4800.00; deductible 800.00; above it 4000.00
    # fund due 4000.00 × 85% = 3400.00, co-pay 600.00
    # the person had 398,000.00 from the fund this year: cap 400,000.00 leaves 2000.00
    result = split.split(lines, PARAMS, fund_paid_ytd_fen=39800000)
    assert result == split.Split(total_fen=550000, out_of_scope_fen=50000,
                                 first_self_pay_fen=20000, in_policy_fen=480000,
                                 deductible_fen=80000, co_pay_fen=60000, over_cap_fen=140000,
                                 fund_fen=200000, person_fen=350000)


def test_half_up_to_the_fen_and_below_the_deductible():
    # 乙 333.33 yuan at 10%: 33.333 → 33.33 first self; in policy 300.00 < deductible: fund 0
    assert split.split([split.BillLine(33333, "乙")], PARAMS, 0).fund_fen == 0
    # 甲 800.01: 0.01 above the deductible, × 85% = 0.0085 → 0.01 (half-up)
    assert split.split([split.BillLine(80001, "甲")], PARAMS, 0).fund_fen == 1
    # a price item's own share overrides the category default: 乙 at 20% of 1000.00
    assert split.split([split.BillLine(100000, "乙", 2000)], PARAMS, 0).first_self_pay_fen == 20000


def test_cap_reached_pays_nothing_and_bad_input_is_refused():
    assert split.split([split.BillLine(500000, "甲")], PARAMS, 40000000).fund_fen == 0
    with pytest.raises(InvalidInput):
        split.split([split.BillLine(-1, "甲")], PARAMS, 0)
    with pytest.raises(InvalidInput):
        split.split([split.BillLine(100, "丁")], PARAMS, 0)


def test_parameters_come_from_dated_policy():
    loaded = policy.use((PROJECT_ROOT / "policy",))
    params = split.params_of(lambda n: loaded.value(n, "330106", dt.date(2026, 10, 1)),
                             "medical_employee")
    assert params == PARAMS
    with pytest.raises(InvalidInput):
        split.params_of(lambda n: loaded.value(n, "330106", dt.date(2026, 10, 1)), "pension_enterprise")
