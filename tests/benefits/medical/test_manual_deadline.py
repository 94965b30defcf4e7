"""BEN-MEDICAL-MANUAL keeps the final regulation's 30 working days (R§20 第二款: 自收到申请之日起
30个工作日内办理完毕; the 2021 draft D§20 said 10), with the basis cited in the catalog."""

from __future__ import annotations

import pytest

from jingban.cases import catalog
from jingban.cases import service as cases
from jingban.core import clock
from tests.benefits.medical.helpers import insured, invoice, line, manual
from tests.benefits.stop_helpers import CLERK, TODAY


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_the_catalog_item_cites_r20_and_a_taken_case_runs_30_working_days(sessions):
    item = catalog.item("BEN-MEDICAL-MANUAL")
    assert item.deadline_wd == 30
    assert "《社会保险经办条例》第二十条第二款" in item.deadline_basis and "30个工作日" in item.deadline_basis
    ssn = insured(sessions, name="报销期限")
    with sessions() as db:
        case = cases.submit(db, CLERK, "BEN-MEDICAL-MANUAL",
                            manual(ssn, invoice("QX-1", "2026-10-09", [line(10000)])),
                            provided=["invoices", "diagnosis"])
        # 30 working days from 2026-11-25 (the day after receipt 11-24): no holiday in between,
        # six weeks of five days — due 2027-01-05 at the earliest (New Year 2027-01-01 moves it).
        assert (case.deadline_wd, case.remaining_wd) == (30, 30)
        assert case.due_on is not None and (case.due_on - TODAY).days >= 42
