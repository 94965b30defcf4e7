"""Money decided outside the monthly run — back pay after a resumption, a re-determination's
adjustment, a refund of wrongly recovered money — waits as 待发放 and reaches the bank with the
next payroll run: once, also after a crash and a rerun, and never again in a later run. A month
already completed is not reopened for it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.payroll import batch
from jingban.benefits.pension import service
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, Refund
from jingban.benefits.recovery.schemas import RepaymentIn
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.core.models import AuditEvent
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.stop_helpers import (
    ACCOUNTANT,
    CLERK,
    TODAY,
    crash_after_first_range,
    payroll,
    recipient,
    through_review,
)
from tests.benefits.test_stops import MONTHLY, feed
from tests.conftest import PASSWORD
from tests.web.helpers import sign_in

OTHER, RAISED, DIFFERENCE = 300000, 305000, 5000
REFUNDED = 100000


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _pending_items(sessions) -> dict:
    """Person A: paid Jan–Sep, wrongly suspended from September (ordered back, 1,000.00 repaid),
    October skipped, resumed on 20 November: October back-paid and the 1,000.00 refunded, both
    pending. Person B: re-determined after October, 50.00 more for October pending."""
    ssn, award_a = recipient(sessions, monthly=MONTHLY, start=202601)
    other, award_b = recipient(sessions, monthly=OTHER, start=202601, name="退休丙")
    payroll(sessions, *range(202601, 202610))
    feed(sessions, "judicial", [{"event_id": "SF-11", "event": "imprisonment", "citizen_id": ssn,
                                 "event_date": "2026-08-03"}])
    with sessions() as db:
        debt_id = db.execute(select(Debt.id)).scalar_one()
        recovery.record_repayment(db, ACCOUNTANT, debt_id, RepaymentIn(amount=Decimal("1000.00"),
                                                                        reference="收据0200"))
    payroll(sessions, 202610)
    through_review(sessions, "BEN-RESUME", {"ssn": ssn, "reason": "wrong_match",
                                            "event_date": "2026-11-20", "note": "错误匹配"})
    raised = _redetermined(sessions, award_b, 202610, RAISED, DIFFERENCE)
    with sessions() as db:
        back = db.execute(select(Payment).where(Payment.kind == "back_pay")).scalar_one()
        adjustment = db.execute(select(Payment).where(Payment.kind == "adjustment")).scalar_one()
        refund = db.execute(select(Refund)).scalar_one()
        assert (back.period, back.net, back.run_id) == (202610, MONTHLY, None)
        assert (adjustment.period, adjustment.net, adjustment.run_id) == (202610, DIFFERENCE, None)
        assert (refund.amount, refund.run_id) == (REFUNDED, None)
        return {"ssn": ssn, "other": other, "award_a": award_a, "award_b": raised,
                "back": back.id, "adjustment": adjustment.id, "refund": refund.id}


def _redetermined(sessions, award_id: int, month: int, monthly: int, diff: int) -> int:
    """What service.redetermine_pension leaves (its own tests): the old award replaced after
    the last paid month, the new one from the next, and the increase for that month as a
    pending adjustment payment of the new award. The new award's id."""
    with sessions() as db:
        old = db.get(Award, award_id)
        old.status, old.last_period = "replaced", month
        new = Award(person_id=old.person_id, kind=old.kind, status="active",
                    start_period=month + 1, monthly_amount=monthly, basic_amount=monthly,
                    account_amount=0, decided_on=TODAY, decided_by="test", replaces_id=old.id,
                    bank_account=old.bank_account, payee_name="")
        db.add(new)
        db.flush()
        db.add(Payment(run_id=None, award_id=new.id, person_id=old.person_id, period=month,
                       kind="adjustment", gross=diff, deduction=0, net=diff,
                       bank_account=new.bank_account, paid_on=TODAY))
        db.commit()
        return new.id


def _bank(sessions, period: int) -> list[list[str]]:
    with sessions() as db:
        confirm_payroll(db, period)
        content = b"".join(batch.bank_file(db, ACCOUNTANT, period))
        run = batch.get_run(db, ACCOUNTANT, period)
        assert hashlib.sha256(content).hexdigest() == run.bank_file_sha256
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))[1:]


def _references(rows: list[list[str]]) -> list[str]:
    return [row[4] for row in rows]


def test_pending_items_are_paid_once_by_the_next_run_despite_a_crash(sessions, monkeypatch):
    found = _pending_items(sessions)
    with sessions() as db:
        pending = batch.pending(db, ACCOUNTANT)
        assert (pending["count"], pending["net"]) == (3, MONTHLY + DIFFERENCE + REFUNDED)
        assert {k: t["count"] for k, t in pending["totals"].items()} == \
            {"back_pay": 1, "adjustment": 1, "refund": 1}
        assert sorted(row.kind for row in pending["items"]) == ["adjustment", "back_pay", "refund"]

    real = batch.pay_range
    crash_after_first_range(monkeypatch)
    with sessions() as db, pytest.raises(RuntimeError):
        batch.run_payroll(db, ACCOUNTANT, 202611, chunk=1)
    with sessions() as db:  # A's range was done in full: paid and picked up; B still pending
        run_id = db.execute(select(PayrollRun.id).where(PayrollRun.period == 202611)).scalar_one()
        assert db.get(Payment, found["back"]).run_id == run_id
        assert db.get(Refund, found["refund"]).run_id == run_id
        assert db.get(Payment, found["adjustment"]).run_id is None
    monkeypatch.setattr(batch, "pay_range", real)
    with sessions() as db:
        run = batch.run_payroll(db, ACCOUNTANT, 202611, chunk=1)
        assert (run.id, run.status) == (run_id, "completed")
        gross = MONTHLY + RAISED + MONTHLY + DIFFERENCE + REFUNDED
        assert (run.payments, run.gross, run.deductions, run.net) == (5, gross, 0, gross)
        assert [(line["kind"], line["count"], line["net"]) for line in batch.breakdown(db, run)] == [
            ("regular", 2, MONTHLY + RAISED), ("back_pay", 1, MONTHLY),
            ("adjustment", 1, DIFFERENCE), ("refund", 1, REFUNDED)]
        assert db.get(Payment, found["adjustment"]).paid_on == TODAY
        assert batch.pending(db, ACCOUNTANT)["count"] == 0
        chunks = db.execute(select(AuditEvent.after).where(AuditEvent.act == "benefits.payroll_chunk",
                                                           AuditEvent.subject == "payroll:202611")
                            .order_by(AuditEvent.id)).scalars().all()
        # A's range before the crash, A's again (nothing left), B's: each item picked up once.
        picked = [json.loads(a)["picked_up"] for a in chunks]
        assert sum(p["payments"] for p in picked) == 2 and sum(p["refunds"] for p in picked) == 1
    rows = _bank(sessions, 202611)
    references = _references(rows)
    assert len(references) == len(set(references)) == 5
    assert f"JB202611-BF202610-{found['back']}" in references
    assert f"JB202611-BC202610-{found['adjustment']}" in references
    assert references[-1] == f"JB202611-TH-{found['refund']}"
    assert {r[4]: r[2] for r in rows}[f"JB202611-TH-{found['refund']}"] == "1000.00"
    assert all(r[3] == "202611" and r[0] == "6217000010009876543" for r in rows)

    # The completed month is not reopened, also by a rerun; December repeats nothing.
    with sessions() as db:
        again = batch.run_payroll(db, ACCOUNTANT, 202611)
        assert (again.payments, again.bank_file_sha256) == (5, run.bank_file_sha256)
        december = batch.run_payroll(db, ACCOUNTANT, 202612)
        assert (december.payments, december.gross) == (2, MONTHLY + RAISED)
    assert [r[4].count("-") for r in _bank(sessions, 202612)] == [1, 1]  # regular lines only


def test_an_item_decided_after_the_months_run_waits_for_the_next(sessions):
    ssn, award_id = recipient(sessions, monthly=OTHER, start=202601)
    payroll(sessions, *range(202601, 202612))
    raised = _redetermined(sessions, award_id, 202611, RAISED, DIFFERENCE)
    with sessions() as db:
        november = batch.run_payroll(db, ACCOUNTANT, 202611)  # completed: returned as it was
        assert (november.payments, november.gross) == (1, OTHER)
        assert batch.pending(db, ACCOUNTANT)["count"] == 1
        record = service.pension_record(db, CLERK, ssn)
        assert (record["pending_count"], record["pending"]) == (1, DIFFERENCE)
    assert len(_bank(sessions, 202611)) == 1
    with sessions() as db:
        december = batch.run_payroll(db, ACCOUNTANT, 202612)
        assert (december.payments, december.gross) == (2, RAISED + DIFFERENCE)
        assert db.execute(select(Payment.run_id).where(Payment.award_id == raised,
                                                       Payment.kind == "adjustment")).scalar_one() \
            == december.id
    assert sum("BC202611" in ref for ref in _references(_bank(sessions, 202612))) == 1


def test_pending_shown_on_the_payroll_page_and_to_the_person(client, make_user, sessions):
    found = _pending_items(sessions)
    make_user("pacc", "accountant")
    sign_in(client, "pacc")
    page = client.get("/benefits/payroll")
    assert page.status_code == 200 and 'id="payroll-pending"' in page.text
    masked = found["ssn"][:4] + "*" * 10 + found["ssn"][-4:]  # secdata: masked to the accountant
    assert "共 <strong id=\"pending-count\">3</strong> 笔" in page.text and masked in page.text
    assert "退还已追回款" in page.text and "重新核定补差" in page.text
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == found["ssn"])).scalar_one()
        create_user(db, SYSTEM, "p-pending", PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")
    sign_in(client, "p-pending")
    mine = client.get("/my/pension")
    assert mine.status_code == 200 and 'id="pension-pending"' in mine.text
    assert "有 2 笔款项待发放，合计 <strong>5,123.50</strong> 元" in mine.text
    assert mine.text.count("待发放</td>") == 2  # the October back pay and the refund

    payroll(sessions, 202611)
    mine = client.get("/my/pension")
    assert 'id="pension-pending"' not in mine.text and "（2026年11月 批次）" in mine.text
    sign_in(client, "pacc")
    detail = client.get("/benefits/payroll/202611")
    assert 'data-kind="back_pay"' in detail.text and 'data-kind="refund"' in detail.text
    assert "没有待发放的款项" in client.get("/benefits/payroll").text


def test_pending_api(client, login, sessions):
    found = _pending_items(sessions)
    accountant = login("accountant")
    clerk = login("clerk")
    assert client.get("/api/v1/benefits/payroll/pending", headers=clerk).status_code == 403
    pending = client.get("/api/v1/benefits/payroll/pending", headers=accountant).json()
    assert (pending["count"], pending["net"]) == (3, "5173.50")
    assert {i["kind"]: i["ssn"] for i in pending["items"]} == {
        "back_pay": found["ssn"], "refund": found["ssn"], "adjustment": found["other"]}
    record = client.get(f"/api/v1/benefits/persons/{found['ssn']}/pension", headers=clerk).json()
    assert record["pending"] == "5123.50"
    assert [r["status"] for r in record["refunds"]] == ["pending"]
    summary = client.post("/api/v1/benefits/payroll/202611", headers=accountant).json()
    assert {k["kind"]: k["net"] for k in summary["kinds"]} == {
        "regular": "7173.50", "back_pay": "4123.50", "adjustment": "50.00", "refund": "1000.00"}
    assert summary["bank_rows"] == 5
    record = client.get(f"/api/v1/benefits/persons/{found['ssn']}/pension", headers=clerk).json()
    assert record["refunds"][0] == {"id": found["refund"], "amount": "1000.00",
                                    "reason": record["refunds"][0]["reason"], "status": "sent",
                                    "payroll_period": 202611, "paid_on": TODAY.isoformat()}
