"""Transfer rules, computed by hand (国办发〔2009〕66号; 《社会保险经办条例》第十二至十五条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jingban.core import policy
from jingban.core.config import PROJECT_ROOT
from jingban.transfers import rules

TABLE = [[12, 12], [60, 18], [120, 24]]
AGES = {"M": 50, "F": 40}
STARTS = {"pension_enterprise": 199801, "pension_cross": 201410}


def test_pooled_fund_counts_actual_months_since_1998():
    # 1997-12 is before the start; 1998 has 3 months (pro rata), 1999 twelve.
    bases = [(199712, 100000), (199801, 100000), (199802, 100000), (199803, 100000)]
    bases += [(199900 + m, 200000) for m in range(1, 13)]
    # 12 % × (3 × 1000.00 + 12 × 2000.00) = 12 % × 27000.00 = 3240.00 yuan
    assert rules.pooled_fund(bases, 199801, Decimal("0.12")) == 324000


def test_pension_amount_enterprise_cross_and_resident():
    bases = [(201409, 500000), (201410, 500000), (201411, 500000)]
    enterprise = rules.pension_amount("pension_enterprise", 123456, bases, STARTS, Decimal("0.12"))
    assert (enterprise.account, enterprise.pooled, enterprise.total) == (123456, 180000, 303456)
    cross = rules.pension_amount("pension_cross", 123456, bases, STARTS, Decimal("0.12"))
    assert cross.pooled == 120000  # only 2014-10 and 2014-11 count after the reform
    resident = rules.pension_amount("pension_resident", 987654, [], STARTS, Decimal("0.12"))
    assert (resident.account, resident.pooled, resident.total) == (987654, 0, 987654)


def test_pooled_fund_rounds_half_up_once():
    assert rules.pooled_fund([(202001, 12345)], 199801, Decimal("0.12")) == 1481  # 1481.4
    assert rules.pooled_fund([(202001, 12375)], 199801, Decimal("0.12")) == 1485  # 1485.0
    assert rules.pooled_fund([(202001, 4)], 199801, Decimal("0.125")) == 1  # 0.5 → 1


def test_unemployment_nothing_under_one_year():
    amount = rules.unemployment_amount(11, 0, 207000, TABLE, Decimal("0.5"), 12)
    assert amount.total == 0 and "不满12个月" in amount.basis


def test_unemployment_benefit_total_plus_half():
    # 3 years paid → 12 months × 2070.00 = 24840.00, plus half = 37260.00 yuan
    assert rules.unemployment_amount(36, 0, 207000, TABLE, Decimal("0.5"), 12).total == 3726000
    # 6 years → 18 months; 4 already received → 14 × 2070.00 × 1.5 = 43470.00
    assert rules.unemployment_amount(72, 4, 207000, TABLE, Decimal("0.5"), 12).total == 4347000
    assert rules.unemployment_months(120, TABLE) == 24
    assert rules.unemployment_months(119, TABLE) == 18


def test_work_injury_and_maternity_do_not_transfer():
    assert "第十五条" in rules.not_transferable("injury")
    assert "生育保险" in rules.not_transferable("maternity")
    assert rules.not_transferable("pension_enterprise") is None


def test_temporary_account_for_men_50_and_women_40_outside_household_province():
    on = dt.date(2026, 11, 24)
    man_50 = dt.date(1976, 11, 24)
    assert rules.needs_temporary_account("M", man_50, on, "330106", "310104", AGES)
    assert not rules.needs_temporary_account("M", dt.date(1976, 11, 25), on, "330106", "310104",
                                             AGES)
    # moving back to the household province: the relationship moves
    assert not rules.needs_temporary_account("M", man_50, on, "310101", "310104", AGES)
    assert rules.needs_temporary_account("F", dt.date(1986, 1, 1), on, "330106", "310104", AGES)
    assert not rules.needs_temporary_account("F", dt.date(1987, 1, 1), on, "330106", "310104",
                                             AGES)


def test_claim_place_follows_the_four_rules():
    stays = [rules.Stay("440305", 130), rules.Stay("330106", 60), rules.Stay("310104", 50)]
    # 1. the relationship is in the household province
    assert rules.claim_place("310101", "310104", stays, 120) == "310101"
    # 2. current place with 10 years
    long_here = [rules.Stay("330106", 60), rules.Stay("310104", 125)]
    assert rules.claim_place("510104", "310104", long_here, 120) == "310104"
    # 3. the last earlier place with 10 years
    assert rules.claim_place("510104", "310104", stays, 120) == "440305"
    # 4. nowhere 10 years: the household region
    short = [rules.Stay("330106", 60), rules.Stay("310104", 50)]
    assert rules.claim_place("510104", "310104", short, 120) == "510104"


def test_plan_and_items_from_policy():
    params = policy.Policy((PROJECT_ROOT / "policy",))
    steps = rules.plan(params.value("transfers.steps.pension_enterprise", "330106",
                                    dt.date(2026, 1, 1)), "pension_enterprise")
    assert [(s.code, s.wd, s.side) for s in steps] == [
        ("contact_letter", 2, "new"), ("info_sheet", 2, "old"), ("confirmation", 4, "new"),
        ("funds", 5, "old"), ("completion", 2, "new")]
    assert sum(s.wd for s in steps) == params.value("transfers.total_wd", "330106",
                                                    dt.date(2026, 1, 1))["pension_enterprise"]
    assert rules.item_for("unemployment", "out") == "TRF-UNEMPLOYMENT-OUT"
    assert rules.item_for("pension_resident", "in") == "TRF-PENSION-CROSS"
    assert "城乡居民养老保险" in rules.receiving_problem("pension_resident", True)
    assert rules.receiving_problem("pension_enterprise", False) is None
    assert rules.may_pay_while_pending("unemployment", True)
    assert not rules.may_pay_while_pending("unemployment", False)
