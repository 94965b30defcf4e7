"""The regional extension of the maternity leave by birth order (finding 1 of rev11): the demo
region follows 《浙江省人口与计划生育条例》（2021年修正）第二十五条 — 60 days for a first child,
90 for a second or third (policy/330000/maternity.yaml, from 2021-11-25).

Employer's 2025 average: (600000 × 12 + 800001 × 12) / 24 = 700000.5 → 700001 fen.
- First child, single, normal: 98 + 60 = 158 days; 700001 × 158 / 30 = 3686671.93… → 3686672.
- Second child, single, normal: 98 + 90 = 188 days; 700001 × 188 / 30 = 4386672.93… → 4386673.
- Third child: like the second (the highest order listed), 188 days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award
from jingban.benefits.maternity import rules
from jingban.benefits.maternity import service as maternity
from jingban.benefits.maternity.schemas import PregnancyIn
from jingban.core import clock
from jingban.core.errors import InvalidInput
from tests.benefits.medical.helpers import BANK, insured
from tests.benefits.stop_helpers import CLERK, TODAY, through_review


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_the_extension_rule():
    assert rules.regional_extension(30, 2) == 30
    table = {1: 60, 2: 90}
    assert [rules.regional_extension(table, n) for n in (1, 2, 3)] == [60, 90, 90]


def test_estimates_and_the_decision_by_birth_order(sessions):
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1))
    with sessions() as db:
        maternity.register_pregnancy(db, CLERK, ssn, PregnancyIn(expected_on=dt.date(2026, 11, 5)))
        birth = dt.date(2026, 11, 2)
        first = maternity.preview(db, CLERK, ssn, birth, 1, False, 1)
        third = maternity.preview(db, CLERK, ssn, birth, 1, False, 3)
        with pytest.raises(InvalidInput):
            maternity.preview(db, CLERK, ssn, birth, 1, False, 0)
    assert (first.days, first.amount) == (158, "36866.72")
    assert (third.days, third.amount) == (188, "43866.73")
    claim = {"ssn": ssn, "birth_date": "2026-11-02", "birth_order": 2, "bank_account": BANK}
    case = through_review(sessions, "BEN-MATERNITY", claim, ["medical_record"])
    assert case["status"] == "completed", case
    with sessions() as db:
        award = db.execute(select(Award).where(Award.case_id == case["id"])).scalar_one()
    assert award.monthly_amount == 4386673
    assert "本地区延长90天（第2孩）" in award.breakdown
