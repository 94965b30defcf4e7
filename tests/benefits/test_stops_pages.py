"""The stop, verification and recovery pages: lists shown, forms post to the same services,
a refused form shows the Chinese reason without a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.benefits.recovery.models import Debt
from jingban.benefits.stops.models import SharedFact
from jingban.benefits.verification.models import VerificationTask
from jingban.cases.models import Case
from jingban.core import clock
from tests.benefits.stop_helpers import TODAY, payroll, recipient, through_review
from tests.web.helpers import post, sign_in


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_report_verification_and_ledger_pages(client, make_user, sessions):
    ssn, _ = recipient(sessions, monthly=300000, start=202601, decided_on=dt.date(2024, 1, 5))
    other, _ = recipient(sessions, monthly=300000, start=202601, name="核验人")
    payroll(sessions, *range(202601, 202611))
    through_review(sessions, "BEN-STOP-REPORT", {"ssn": ssn, "reason": "death",
                                                 "event_date": "2026-08-10", "reporter": "relative",
                                                 "reporter_name": "李家属"})
    with sessions() as db:
        db.add(SharedFact(kind="emigration", ssn=other, fact_date=dt.date(2026, 3, 1),
                          source="exit", source_ref="x1", received_on=TODAY))
        db.commit()
        debt_id = db.query(Debt).one().id
    make_user("pclerk", "clerk")
    token = sign_in(client, "pclerk")
    stops_page = client.get("/benefits/stops")
    assert stops_page.status_code == 200 and "逾期报告" in stops_page.text and "李家属" in stops_page.text

    ran = post(client, "/benefits/verification/run", token, {})
    assert ran.status_code == 200 and "新发现疑点 1 条" in ran.text and "移居境外" in ran.text
    entrusted = post(client, "/benefits/verification/entrust", token,
                     {"ssn": other, "agent_kind": "third_party", "agent_key": "bad",
                      "agent_name": "社区"})
    assert entrusted.status_code == 422 and "统一社会信用代码" in entrusted.text
    with sessions() as db:
        assert db.query(VerificationTask).count() == 0

    ledger = client.get(f"/benefits/debts?ssn={ssn}")
    assert ledger.status_code == 200 and "6,000.00" in ledger.text  # Sep + Oct
    agreed = post(client, f"/benefits/debts/{debt_id}/agreement", token,
                  {"ssn": ssn, "instalments": "2", "first_due": "2026-12-01", "signed_by": "李家属"})
    assert agreed.status_code == 200 and "还款协议已签订" in agreed.text and "3,000.00" in agreed.text
    refused = post(client, f"/benefits/debts/{debt_id}/repayment", token,
                   {"ssn": ssn, "amount": "abc", "reference": "R"})
    assert refused.status_code == 422 and "还款金额" in refused.text
    unreasoned = post(client, f"/benefits/debts/{debt_id}/account", token, {"ssn": ssn})
    assert unreasoned.status_code == 422 and "抵扣理由" in unreasoned.text
    no_account = post(client, f"/benefits/debts/{debt_id}/account", token,
                      {"ssn": ssn, "reason": "继承人未退回"})
    assert no_account.status_code == 409 and "没有可抵扣的余额" in no_account.text
    with sessions() as db:
        assert db.query(Case).filter_by(item_code="BEN-ACCOUNT-OFFSET").count() == 0
    paid = post(client, f"/benefits/debts/{debt_id}/repayment", token,
                {"ssn": ssn, "amount": "6000.00", "reference": "收据9"})
    assert paid.status_code == 200 and "已结清" in paid.text
    assert client.get("/benefits/debts?ssn=000").status_code == 404
