"""Credit records written by recovery feed the list: a broken repayment agreement (recorded by
the recovery sweep) and a second recorded act meet the repeat criterion; the proposal names
the recovery's record among those it read."""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt
from jingban.benefits.recovery.schemas import AgreementIn
from jingban.core import clock
from jingban.core.errors import InvalidInput
from jingban.oversight import service as oversight
from jingban.oversight.dishonesty import service
from jingban.oversight.dishonesty.schemas import ProposalIn
from jingban.oversight.models import CreditRecord
from jingban.oversight.schemas import CreditIn
from tests.benefits.stop_helpers import ACCOUNTANT, CLERK, TODAY, payroll, recipient, through_review
from tests.oversight.dishonesty.test_lifecycle import INSPECTOR


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_recovery_default_feeds_the_criteria(sessions, monkeypatch):
    ssn, award_id = recipient(sessions, monthly=325678, start=202601)
    payroll(sessions, *range(202601, 202611))
    through_review(sessions, "BEN-STOP-REPORT", {
        "ssn": ssn, "reason": "imprisonment", "event_date": "2026-07-15", "reporter": "relative",
        "reporter_name": "王小明（儿子）", "reporter_phone": "13700000003", "note": "判决书"})
    with sessions() as db:
        debt_id = db.query(Debt).filter(Debt.award_id == award_id).one().id
        recovery.agree_instalments(db, CLERK, debt_id, AgreementIn(
            instalments=3, first_due=dt.date(2026, 11, 30), signed_by="王小明"))
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 29))
    with sessions() as db:
        assert recovery.sweep(db, ACCOUNTANT)["defaulted"] == [debt_id]
    proposal = ProposalIn(subject_kind="person", subject_key=ssn, reason="违约且拒不改正")
    with sessions() as db:
        from_recovery = db.query(CreditRecord).one()
        assert from_recovery.act == "overpayment_agreement_breach"
        with pytest.raises(InvalidInput):  # one recorded act is below the criteria
            service.propose(db, INSPECTOR, proposal)
        oversight.record_credit(db, INSPECTOR, CreditIn(
            subject_kind="person", subject_key=ssn, act="refuse_enrollment",
            description="经责令仍拒不办理参保", source_ref="inspection:1"))
        listing = service.propose(db, INSPECTOR, proposal)
        assert str(from_recovery.id) in listing.credit_ids.split(",")
        assert listing.party_subject and listing.subject_name
