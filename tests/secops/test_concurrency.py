"""Concurrency proofs (issue 15 item 5): two simultaneous final approvals of one case, two
payroll runs of one month, two deliveries of one transfer message (two deliverers, and the same
message arriving twice at once), two imports of one file — exactly one effect each.

Two threads, each with its own session and connection, are released together by a barrier.
Where the race needs both to be past a check before either writes, a second barrier inside the
code (``meet``) holds the first arrival until the other is there too — or, when the other is
already waiting on a lock the fix takes (so can never arrive), for at most a second.
On PostgreSQL (the suite's PostgreSQL half); on SQLite writers queue on the file lock, so the
same tests hold there and run too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.payroll import batch as payroll
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.cases import service as cases
from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.models import AuditEvent
from jingban.funds.ledger.models import JournalEntry
from jingban.records import batch as records_batch
from jingban.records import service as records
from jingban.records.models import Contribution, ContributionBatch
from jingban.registration.models import Person
from jingban.transfers import batch as delivery
from jingban.transfers import service as transfers
from jingban.transfers.models import TransferMessage
from jingban.transfers.schemas import TransferApply
from tests.conftest import citizen_id, person_body
from tests.records.helpers import collector_csv, make_world, pension_row
from tests.transfers import helpers as two

API = "/api/v1"
ACCOUNTANT = Actor("acc", frozenset({"accountant"}), True, "api")


def together(*calls):
    """Run the calls at the same moment in two threads; each one's result or error code."""
    start = threading.Barrier(len(calls))

    def attempt(call):
        start.wait()
        try:
            return ("ok", call())
        except JingbanError as exc:
            return (exc.code, None)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(attempt, calls))


def meet(monkeypatch, owner, name: str, timeout: float = 1.0) -> None:
    """Make ``owner.name`` wait for the other thread (at most ``timeout``) before it runs."""
    original, inside = getattr(owner, name), threading.Barrier(2, timeout=timeout)

    def held(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait()  # broken: the other thread is held elsewhere (by a lock), go on alone
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)


def rows(db, model, *where) -> int:
    db.expire_all()
    return db.execute(select(func.count()).select_from(model).where(*where)).scalar()


# --- a final approval -----------------------------------------------------------------------

def test_two_final_approvals_of_one_case(client, login, make_user, sessions, db):
    clerk = login("clerk")
    ssn = client.post(f"{API}/persons", json=person_body(name="王小明"), headers=clerk).json()["ssn"]
    case = client.post(f"{API}/cases", headers=clerk, json={
        "item": "REG-PERSON-CORRECT", "materials": ["id_document"],
        "payload": {"ssn": ssn, "name": "王晓明", "reason": "公安机关更正姓名"}}).json()
    for level, role in ((1, "reviewer_1"), (2, "reviewer_2")):
        reply = client.post(f"{API}/cases/{case['id']}/decisions", headers=login(role),
                            json={"level": level, "decision": "approve", "reason": "同意"})
        assert reply.status_code == 200, reply.text
    finals = [Actor(make_user(name, "reviewer_3"), frozenset({"reviewer_3"}), True)
              for name in ("final_a", "final_b")]

    def approve(actor):
        def call():
            with sessions() as session:
                return cases.decide(session, actor, case["id"], 3, "approve", "同意").status
        return call

    results = together(*(approve(a) for a in finals))
    assert sorted(r[0] for r in results) in (["case.level_taken", "ok"], ["case.status", "ok"],
                                             ["db.busy", "ok"]), results
    assert rows(db, AuditEvent, AuditEvent.act == "registration.correct_identity") == 1
    assert db.execute(select(Person.name).where(Person.ssn == ssn)).scalar() == "王晓明"
    assert audit.verify(db).ok


# --- a month's payroll ---------------------------------------------------------------------

def _payees(sessions, n: int) -> None:
    with sessions() as db:
        for i in range(n):
            ssn = citizen_id(dt.date(1960, 1, 1))
            person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=f"领取人{i}",
                            sex="M", birth_date=dt.date(1960, 1, 1),
                            registered_on=dt.date(2000, 1, 1), status="active")
            db.add(person)
            db.flush()
            db.add(Award(person_id=person.id, kind="pension_enterprise", monthly_amount=300000,
                         basic_amount=300000, breakdown="{}", basis="test", payee_name=person.name,
                         bank_account=f"6217{person.id:012d}", decided_on=dt.date(2026, 11, 1),
                         decided_by="test", status="active", start_period=202611))
            if i % 3 == 0:  # some owe money: the deductions must be taken once too
                db.add(Debt(person_id=person.id, reason="多领待遇", principal=50000, status="open",
                            ordered_on=dt.date(2026, 1, 1), due_on=dt.date(2026, 2, 1),
                            source_ref="t"))
                db.flush()
                db.add(DebtEntry(debt_id=db.execute(select(func.max(Debt.id))).scalar(),
                                 kind="principal", amount=50000, entry_on=dt.date(2026, 1, 1),
                                 reference="t", recorded_by="test"))
        db.commit()


def test_two_payroll_runs_of_one_month(sessions, db, monkeypatch):
    _payees(sessions, 12)
    meet(monkeypatch, payroll, "_ranges")  # both past start_run before either pays a range

    def run():
        with sessions() as session:
            return payroll.run_payroll(session, ACCOUNTANT, 202611, chunk=4).id

    results = together(run, run)
    assert [code for code, _ in results] == ["ok", "ok"], results
    assert rows(db, PayrollRun) == 1
    assert rows(db, Payment) == 12
    assert rows(db, DebtEntry, DebtEntry.kind == "deduction") == 4
    paid = db.execute(select(func.sum(Payment.net), func.sum(Payment.deduction))).one()
    assert paid == (12 * 300000 - 4 * 50000, 4 * 50000)
    assert rows(db, JournalEntry, JournalEntry.source.like("payroll:%")) == len(
        {e.fund for e in db.execute(select(JournalEntry).where(
            JournalEntry.source.like("payroll:%"))).scalars()})
    assert audit.verify(db).ok


# --- one collector file twice --------------------------------------------------------------

def test_two_imports_of_one_file(sessions, db, monkeypatch):
    world = make_world(sessions)
    content = collector_csv([pension_row(world, f"R{m}", 202400 + m) for m in range(1, 7)])
    meet(monkeypatch, records_batch, "read")  # both past the "seen this file?" check

    def upload():
        with sessions() as session:
            item = records.import_contributions(session, ACCOUNTANT, filename="a.csv",
                                                content=content)
            return item.id, item.repeat

    results = together(upload, upload)
    assert [code for code, _ in results] == ["ok", "ok"], results
    assert sorted(repeat for _, (_, repeat) in results) == [False, True]
    assert len({batch_id for _, (batch_id, _) in results}) == 1
    assert rows(db, ContributionBatch) == 1 and rows(db, Contribution) == 6
    assert audit.verify(db).ok


# --- one transfer message ------------------------------------------------------------------

@pytest.fixture
def sides(sessions, tmp_path, monkeypatch):
    old, new = two.two_sides(sessions, tmp_path, monkeypatch)
    ssn = two.fresh_ssn()
    two.person(old, ssn, history={"pension_enterprise": two.months(2022, 30)})
    two.person(new, ssn, enrolled=("pension_enterprise",))
    with new.sessions() as session:
        transfers.start(session, two.CLERK, ssn, TransferApply(
            kind="pension_enterprise", direction="in", peer_region=two.OLD))
    return old, new


def test_two_deliverers_send_one_message_once(sides):
    """Two delivery passes at once over the new place's outbox: the claim lets one send it."""
    old, new = sides
    sent = []
    receive = two.to(old)

    def counting(url, envelope):
        sent.append(envelope["message_id"])
        return receive(url, envelope)

    results = together(*(lambda: delivery.deliver(new.sessions, sender=counting),) * 2)
    assert [code for code, _ in results] == ["ok", "ok"]
    assert len(sent) == 1
    with old.sessions() as session:
        assert rows(session, TransferMessage, TransferMessage.direction == "in") == 1


def test_one_message_arriving_twice_at_once(sides, monkeypatch):
    """The same signed message posted twice at the same moment (a retry racing the first try):
    applied once, and both posts get the same acknowledgement."""
    old, new = sides
    with new.sessions() as session:
        pk = transfers.due_messages(session)[0]
        envelope, _region = transfers.outgoing(session, pk)
    meet(monkeypatch, transfers, "_apply")  # both past the "received before?" check

    def post():
        with old.sessions() as session:
            return transfers.receive(session, envelope)

    results = together(post, post)
    assert [code for code, _ in results] == ["ok", "ok"], results
    (status_a, ack_a), (status_b, ack_b) = (answer for _, answer in results)
    assert status_a == status_b == 200 and ack_a == ack_b
    with old.sessions() as session:
        assert rows(session, TransferMessage, TransferMessage.direction == "in") == 1
        assert rows(session, transfers.Transfer) == 1
        assert audit.verify(session).ok
