"""Monthly payroll: one payment per award in force, recovery deductions capped by policy, the
bank file with its hash; a crash in the middle then a rerun pays everyone exactly once."""

import csv
import datetime as dt
import hashlib
import io
import json

import pytest
from sqlalchemy import func, select

from jingban.benefits.common import rules
from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.payroll import batch
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.models import AuditEvent
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.stop_helpers import crash_after_first_range
from tests.conftest import citizen_id, error_of

API = "/api/v1"
ACCOUNTANT = Actor("acc", frozenset({"accountant"}), False, "api")


def _period() -> int:
    today = clock.today()
    return rules.period_of(today.year, today.month)


def _awards(sessions, amounts: list[int], **overrides) -> list[int]:
    """One person and one active pension award per amount (fen); returns the person ids."""
    ids = []
    with sessions() as db:
        for n, amount in enumerate(amounts):
            ssn = citizen_id(dt.date(1960, 1, 1))
            person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=f"领取人{n}",
                            sex="M", birth_date=dt.date(1960, 1, 1), registered_on=dt.date(2000, 1, 1),
                            status="active")
            db.add(person)
            db.flush()
            values = {"status": "active", "start_period": 202401, "last_period": None, **overrides}
            db.add(Award(person_id=person.id, kind="pension_enterprise", monthly_amount=amount,
                         basic_amount=amount, breakdown="{}", basis="test", payee_name=person.name,
                         bank_account=f"62170000{person.id:08d}", decided_on=dt.date(2024, 1, 1),
                         decided_by="test", **values))
            ids.append(person.id)
        db.commit()
    return ids


def _debt(sessions, person_id: int, owed: int, status: str = "open") -> int:
    with sessions() as db:
        debt = Debt(person_id=person_id, reason="死亡后多领待遇", principal=owed, status=status,
                    ordered_on=dt.date(2026, 1, 1), due_on=dt.date(2026, 2, 1), source_ref="t")
        db.add(debt)
        db.flush()
        db.add(DebtEntry(debt_id=debt.id, kind="order", amount=owed, entry_on=dt.date(2026, 1, 1),
                         recorded_by="test"))
        db.commit()
        return debt.id


def _paid(db) -> dict[int, int]:
    db.rollback()
    return dict(db.execute(select(Payment.person_id, func.count()).group_by(Payment.person_id)).all())


def test_crash_then_rerun_pays_everyone_exactly_once(sessions, db, monkeypatch):
    people = _awards(sessions, [100000, 200000, 300000, 400000, 500000])
    period = _period()
    real = batch.pay_range
    crash_after_first_range(monkeypatch)
    with sessions() as s, pytest.raises(RuntimeError):
        batch.run_payroll(s, ACCOUNTANT, period, chunk=2)
    assert _paid(db) == {people[0]: 1, people[1]: 1}
    assert db.execute(select(PayrollRun.status)).scalar_one() == "running"
    monkeypatch.setattr(batch, "pay_range", real)
    with sessions() as s:
        run = batch.run_payroll(s, ACCOUNTANT, period, chunk=2)
    assert _paid(db) == {p: 1 for p in people}
    assert (run.status, run.payments, run.gross, run.net) == ("completed", 5, 1500000, 1500000)
    # Each chunk's audit event counts the payments it made: 2 before the crash, then 0 (the
    # first range again), 2, 1 — the same on both drivers.
    chunks = db.execute(select(AuditEvent.after).where(AuditEvent.act == "benefits.payroll_chunk")
                        .order_by(AuditEvent.id)).scalars().all()
    assert [json.loads(a)["payments"] for a in chunks] == [2, 0, 2, 1]
    audit_before = db.execute(select(func.count()).select_from(AuditEvent)).scalar()
    with sessions() as s:
        again = batch.run_payroll(s, ACCOUNTANT, period, chunk=2)
    assert (again.id, again.payments, again.bank_file_sha256) == \
        (run.id, 5, run.bank_file_sha256)
    assert _paid(db) == {p: 1 for p in people}
    assert db.execute(select(func.count()).select_from(AuditEvent)).scalar() == audit_before
    assert db.execute(select(func.count()).select_from(PayrollRun)).scalar() == 1


def test_who_is_paid_this_month(sessions, db):
    period = _period()
    paid = _awards(sessions, [100000])
    ended = _awards(sessions, [100000], last_period=rules.previous_period(period))
    last = _awards(sessions, [100000], last_period=period)
    later = _awards(sessions, [100000], start_period=rules.next_period(period))
    suspended = _awards(sessions, [100000], status="suspended")
    with sessions() as s:
        batch.run_payroll(s, ACCOUNTANT, period)
    assert set(_paid(db)) == {paid[0], last[0]}
    assert not {ended[0], later[0], suspended[0]} & set(_paid(db))


def test_deductions_capped_and_debt_settled(sessions, db):
    # Gross 2226.94, cap 50 %: 1113.47. A debt of 500.00 is taken whole and settled; a debt
    # of 3000.00 on a gross of 1000.00 loses 500.00 a month (cap) and stays open.
    small, large, agreed = _awards(sessions, [222694, 100000, 100001])
    small_debt, large_debt = _debt(sessions, small, 50000), _debt(sessions, large, 300000)
    agreed_debt = _debt(sessions, agreed, 90000, status="agreement")
    period = _period()
    with sessions() as s:
        run = batch.run_payroll(s, ACCOUNTANT, period)
    assert (run.gross, run.deductions, run.net) == (422695, 150001, 272694)
    db.rollback()
    nets = dict(db.execute(select(Payment.person_id, Payment.net)).all())
    assert nets == {small: 172694, large: 50000, agreed: 50000}  # 100001 × 0.5 → 50001 (half up)
    status = dict(db.execute(select(Debt.id, Debt.status)).all())
    assert status == {small_debt: "settled", large_debt: "open", agreed_debt: "agreement"}
    balance = dict(db.execute(select(DebtEntry.debt_id, func.sum(DebtEntry.amount))
                              .group_by(DebtEntry.debt_id)).all())
    assert balance == {small_debt: 0, large_debt: 250000, agreed_debt: 39999}
    entry = db.execute(select(DebtEntry).where(DebtEntry.kind == "deduction",
                                               DebtEntry.debt_id == large_debt)).scalar_one()
    assert entry.amount == -50000 and entry.payment_id is not None


def test_api_summary_bank_file_and_permissions(client, login, sessions):
    _awards(sessions, [222694, 150000])
    zero = _awards(sessions, [100])
    _debt(sessions, zero[0], 100, status="open")  # 1.00 owed, cap 0.50: net 0.50
    period, accountant = _period(), login("accountant")
    assert error_of(client.post(f"{API}/benefits/payroll/{period}", headers=login("clerk")))[
        "code"] == "auth.forbidden"
    assert error_of(client.post(f"{API}/benefits/payroll/202613", headers=accountant))[
        "code"] == "payroll.period"
    future = rules.next_period(rules.next_period(period))
    assert error_of(client.post(f"{API}/benefits/payroll/{future}", headers=accountant))[
        "code"] == "payroll.period_future"
    assert error_of(client.get(f"{API}/benefits/payroll/{period}/bank-file",
                               headers=accountant))["code"] == "payroll.not_found"
    summary = client.post(f"{API}/benefits/payroll/{period}", headers=accountant).json()
    assert (summary["status"], summary["payments"], summary["gross"], summary["net"]) == \
        ("completed", 3, "3727.94", "3727.44")
    assert summary["bank_rows"] == 3
    cashier = login("cashier")
    assert error_of(client.get(f"{API}/benefits/payroll/{period}/bank-file", headers=cashier))[
        "code"] == "payroll.not_confirmed"
    with sessions() as db:
        assert confirm_payroll(db, period) == 1
    reply = client.get(f"{API}/benefits/payroll/{period}/bank-file", headers=cashier)
    assert reply.status_code == 200
    assert hashlib.sha256(reply.content).hexdigest() == summary["bank_file_sha256"]
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8"))))
    assert rows[0] == batch.BANK_HEADER
    assert sorted(r[2] for r in rows[1:]) == ["0.50", "1500.00", "2226.94"]
    assert all(r[3] == str(period) and r[4].startswith(f"JB{period}-") for r in rows[1:])
    listed = client.get(f"{API}/benefits/payroll", headers=cashier).json()
    assert [r["period"] for r in listed] == [period]
