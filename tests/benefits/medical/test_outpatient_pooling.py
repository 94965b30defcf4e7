"""The general outpatient pooling (门诊统筹, 国办发〔2021〕14号 第二条第（二）项) in manual
reimbursement: a dated regional parameter (policy/330000/medical.yaml, demo values) with its
yearly deductible, share and limit; where a region sets none, ordinary outpatient care is wholly
the person's (the national default, policy/national/medical_benefits.yaml).

Demo values, employee medical insurance: yearly deductible 600.00 = 60000 fen, the fund pays
50 % above it, at most 2,000.00 = 200000 fen a year; 乙类 first self-paid 10 %. Today 2026-11-24.
"""

from __future__ import annotations

import json

import pytest

from jingban.benefits.medical import rules
from jingban.core import agency, clock
from tests.benefits.medical.helpers import insured, invoice, line, manual, reimbursed
from tests.benefits.stop_helpers import TODAY


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _outpatient(number: str, day: str, *lines: dict) -> dict:
    return invoice(number, day, list(lines), inpatient=False, diagnosis="J06.9",
                   hospital="杭州市西湖区社区卫生服务中心")


def test_the_yearly_deductible_share_and_limit_across_claims(sessions):
    ssn = insured(sessions)
    # Claim 1, two visits. Visit A 甲 400.00: under the deductible, deductible 40000, fund 0.
    # Visit B 甲 1,000.00 + 乙 200.00: 乙 first self 2000; in policy 100000 + 18000 = 118000;
    # deductible left 60000 − 40000 = 20000; above 98000; fund 50 % = 49000; co-pay 49000;
    # person 120000 − 49000 = 71000.
    first = reimbursed(sessions, manual(ssn, _outpatient("MZ-101", "2026-03-02", line(40000)),
                                         _outpatient("MZ-102", "2026-04-10", line(100000),
                                                     line(20000, "乙", "阿莫西林"))))
    bills = [b["split"] for b in json.loads(first.bills)]
    assert [b["coverage"] for b in json.loads(first.bills)] == ["outpatient", "outpatient"]
    assert (bills[0]["deductible_fen"], bills[0]["fund_fen"]) == (40000, 0)
    assert (bills[1]["first_self_pay_fen"], bills[1]["in_policy_fen"], bills[1]["deductible_fen"],
            bills[1]["co_pay_fen"], bills[1]["fund_fen"]) == (2000, 118000, 20000, 49000, 49000)
    assert (first.fund_fen, first.person_fen) == (49000, 111000)
    # Claim 2, 甲 3,500.00: the deductible is borne (60000 of 60000); due 350000 × 50 % =
    # 175000; the pooling's limit leaves 200000 − 49000 = 151000: fund 151000, over 24000;
    # person 350000 − 151000 = 199000.
    second = reimbursed(sessions, manual(ssn, _outpatient("MZ-103", "2026-09-09", line(350000))))
    split = json.loads(second.bills)[0]["split"]
    assert (split["deductible_fen"], split["fund_fen"], split["over_cap_fen"]) == (0, 151000, 24000)
    assert (second.ytd_before_fen, second.fund_fen, second.person_fen) == (49000, 151000, 199000)
    # Claim 3, 甲 100.00: the limit is used up (200000): fund 0, all 10000 the person's.
    third = reimbursed(sessions, manual(ssn, _outpatient("MZ-104", "2026-10-09", line(10000))))
    assert (third.fund_fen, json.loads(third.bills)[0]["split"]["over_cap_fen"]) == (0, 5000)


def test_a_region_without_outpatient_pooling_leaves_it_to_the_person(sessions, monkeypatch):
    real = agency.param

    def without_pooling(db, name, on):
        return {} if name == "medical.outpatient.pooling" else real(db, name, on)

    monkeypatch.setattr(agency, "param", without_pooling)
    ssn = insured(sessions)
    # 甲 1,000.00 with no pooling: wholly self-paid, out of scope 100000, fund 0.
    claim = reimbursed(sessions, manual(ssn, _outpatient("MZ-201", "2026-05-05", line(100000))))
    bill = json.loads(claim.bills)[0]
    assert (bill["coverage"], bill["coverage_name"]) == ("self_paid", rules.COVERAGE["self_paid"])
    assert (bill["split"]["out_of_scope_fen"], claim.fund_fen, claim.person_fen) == (100000, 0, 100000)
