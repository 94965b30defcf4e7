"""技能提升补贴 (BEN-TRAINING, 10 wd; 人社部发〔2017〕40号, 人社厅发〔2019〕94号): a one-off
subsidy by certificate level, paid once by the next payroll from the unemployment fund.

Demo standards (policy/330000/unemployment.yaml): 五级 1,000.00, 四级 1,500.00, 三级及以上 2,000.00;
at least 12 months paid; within 12 months of the certificate; once per certificate, three a year.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award, Payment
from jingban.benefits.unemployment import service as unemployment
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.errors import InvalidInput
from jingban.funds.ledger.models import JournalEntry, JournalLine
from tests.benefits.stop_helpers import CLERK, TODAY, payroll, through_review
from tests.benefits.unemployment.helpers import BANK, months, unemployed

ITEM = "BEN-TRAINING"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _payload(ssn: str, **extra) -> dict:
    return {"ssn": ssn, "certificate_number": "S330106202606150001", "certificate_level": 4,
            "occupation": "电工", "issued_on": "2026-06-15", "bank_account": BANK, **extra}


def _refused(sessions, payload: dict) -> str:
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        cases.submit(db, CLERK, ITEM, payload, provided=["certificate"])
    return caught.value.message


def test_an_intermediate_certificate_is_paid_once_from_the_unemployment_fund(sessions):
    # 36 months paid, still employed; 四级 certificate of 2026-06-15 → 1,500.00 = 150000 fen,
    # decided 2026-11-24, paid with the 2026-12 payroll.
    ssn = unemployed(sessions, periods=months(202310, 202609), active=True)
    case = through_review(sessions, ITEM, _payload(ssn), provided=["certificate"])
    assert case["status"] == "completed"
    with sessions() as db:
        award = db.query(Award).filter(Award.kind == "training_subsidy").one()
        assert (award.monthly_amount, award.start_period, award.status) == (150000, 202612, "stopped")
        assert json.loads(award.breakdown)["inputs"]["certificate_number"] == "S330106202606150001"
        pending = db.query(Payment).filter(Payment.award_id == award.id).one()
        assert (pending.gross, pending.run_id) == (150000, None)
    payroll(sessions, 202612)
    with sessions() as db:
        paid = db.query(Payment).filter(Payment.award_id == award.id).one()
        assert paid.run_id is not None
        expense = db.execute(select(JournalEntry.fund, JournalLine.debit).join(JournalLine).where(
            JournalEntry.source.like("payroll:%"), JournalLine.account == 5001)).all()
        assert expense == [("unemployment", 150000)]
    with sessions() as db:
        shown = unemployment.record_of(db, CLERK, ssn)["subsidies"]
        assert [(a.monthly_amount, p.run_id is not None) for a, _, p in shown] == [(150000, True)]
    # The same certificate again is refused; nothing more is written.
    assert "该证书已享受过技能提升补贴" in _refused(sessions, _payload(ssn))
    with sessions() as db:
        assert db.query(Award).filter(Award.kind == "training_subsidy").count() == 1


def test_an_old_certificate_and_a_short_record_are_refused(sessions):
    # Issued 2025-11-23: its 12 months ended on 2026-11-23, the day before today.
    ssn = unemployed(sessions, periods=months(202310, 202609), active=True)
    assert "超过12个月" in _refused(sessions, _payload(ssn, issued_on="2025-11-23"))
    short = unemployed(sessions, periods=months(202512, 202609), active=True)  # 10 months
    assert "累计缴纳失业保险费10个月，不满12个月" in _refused(sessions, _payload(short))
    with sessions() as db:
        assert db.query(Award).count() == 0
