"""Postings from the other areas (issue 10 item 3): each business act books its entry once, in
its own transaction (a failed booking rolls the act back); the payroll bank file waits for the
cashier; returned payments re-credit the fund and are sent again once; the back-fill books what
was written before the ledger, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from jingban import wiring
from jingban.benefits.common import rules
from jingban.benefits.common.models import Award, Payment, PaymentReturn, PayrollRun
from jingban.benefits.payroll import batch, returns
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.benefits.recovery.schemas import RepaymentIn
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import EntrySign, JournalEntry, JournalLine
from jingban.records import service as records
from jingban.records.models import ContributionBatch
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.conftest import citizen_id
from tests.records.helpers import collector_csv, make_world, pension_row

ACCOUNTANT = Actor("acc", frozenset({"accountant"}), True, "api")
DAY = "2026-11-16"  # the runs below are for November and December 2026


@pytest.fixture(autouse=True)
def _on_day():
    with clock.travel(DAY):
        yield


def awards(db, amounts: list[int], kind: str = "pension_enterprise") -> list[int]:
    ids = []
    for n, amount in enumerate(amounts):
        ssn = citizen_id(dt.date(1960, 1, 1))
        person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=f"领取人{n}", sex="M",
                        birth_date=dt.date(1960, 1, 1), registered_on=dt.date(2000, 1, 1),
                        status="active")
        db.add(person)
        db.flush()
        db.add(Award(person_id=person.id, kind=kind, monthly_amount=amount, basic_amount=amount,
                     breakdown="{}", basis="test", payee_name=person.name, status="active",
                     start_period=202611, bank_account=f"6217{person.id:012d}",
                     decided_on=dt.date(2026, 10, 1), decided_by="test"))
        ids.append(person.id)
    db.commit()
    return ids


def debt(db, person_id: int, owed: int) -> int:
    item = Debt(person_id=person_id, reason="多领待遇", principal=owed, status="open",
                ordered_on=dt.date(2026, 1, 1), due_on=dt.date(2026, 2, 1), source_ref="t")
    db.add(item)
    db.flush()
    db.add(DebtEntry(debt_id=item.id, kind="order", amount=owed, entry_on=dt.date(2026, 1, 1),
                     reference="t", recorded_by="test"))
    db.commit()
    return item.id


def entries(db, prefix: str) -> list[JournalEntry]:
    return list(db.execute(select(JournalEntry).where(JournalEntry.source.startswith(prefix))
                           .order_by(JournalEntry.id)).scalars())


def balanced(db) -> bool:
    return all(ledger.trial_balance(db, ACCOUNTANT, fund, 299912)["balanced"]
               for fund in ledger.rules.FUNDS)


def expense(db, fund: str = "pension_enterprise") -> int:
    debit, credit = ledger.totals(db, fund).get(ledger.rules.BENEFIT_EXPENSE, (0, 0))
    return debit - credit


def test_payroll_books_one_entry_per_run_and_fund_once_and_gates_the_bank_file(db):
    payee = awards(db, [300000, 200000])[0]
    awards(db, [50000], kind="survivor")
    debt(db, payee, 10000)
    run = batch.run_payroll(db, ACCOUNTANT, 202611)
    [entry] = entries(db, f"payroll:{run.id}:")  # the survivor is paid by the pension fund
    assert entry.fund == "pension_enterprise"
    other = ledger.totals(db, "pension_enterprise")[ledger.rules.OTHER_INCOME]
    assert other == (0, 10000)  # the deduction taken from the payment
    assert "2026年11月" in entry.memo and "3 笔" in entry.memo
    assert expense(db) == 550000 and balanced(db)
    batch.run_payroll(db, ACCOUNTANT, 202611)
    assert batch.book_all_payroll(db, ACCOUNTANT) == 0
    assert len(entries(db, "payroll:")) == 1
    with pytest.raises(Conflict) as held:
        batch.bank_file(db, ACCOUNTANT, 202611)
    assert held.value.code == "payroll.not_confirmed"
    assert confirm_payroll(db, 202611) == 1
    assert b"".join(batch.bank_file(db, ACCOUNTANT, 202611)).count(b"\r\n") == 4
    assert rules.fund_of("survivor") == "pension_enterprise"


def test_a_failed_booking_rolls_the_payroll_run_back(db, monkeypatch):
    awards(db, [300000])

    def refuse(*args, **kwargs):
        raise InvalidInput("funds.period_closed", "已结账", "period")

    monkeypatch.setattr(batch.ledger, "book_payroll", refuse)
    with pytest.raises(InvalidInput):
        batch.run_payroll(db, ACCOUNTANT, 202611)
    run = db.execute(select(PayrollRun)).scalar_one()
    assert run.status == "running" and entries(db, "payroll:") == []
    monkeypatch.undo()
    assert batch.run_payroll(db, ACCOUNTANT, 202611).status == "completed"
    assert len(entries(db, "payroll:")) == 1


def _return_file(rows: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(["业务参考号,金额,退回原因", *rows]).encode(encoding)


def test_returned_payments_recredit_the_fund_and_are_sent_again_once(db):
    awards(db, [300000, 200000])
    run = batch.run_payroll(db, ACCOUNTANT, 202611)
    first, second = db.execute(select(Payment.id).order_by(Payment.id)).scalars().all()
    content = _return_file([f"JB202611-{first},3000.00,账户已销户", "JB202611-999999,1.00,x",
                            f"JB202611-{second},1999.99,金额不符", f"JB202611-{second},abc,坏",
                            f"JB202610-{first},3000.00,别的月份"], "gbk")
    result = returns.import_returns(db, ACCOUNTANT, 202611, content)
    assert (result.recorded, result.repeated, result.amount) == (1, 0, 300000)
    assert [(p["line"], p["code"], p["field"]) for p in result.problems] == [
        (3, "payroll.return_unknown", "reference"), (4, "payroll.return_amount", "amount"),
        (5, "payroll.return_bad_amount", "amount"), (6, "payroll.return_unknown", "reference")]
    [entry] = entries(db, f"return:{run.id}:")
    assert (entry.fund, entry.amount) == ("pension_enterprise", 300000)
    assert expense(db) == 500000 - 300000 and balanced(db)
    again = returns.import_returns(db, ACCOUNTANT, 202611, content)
    assert (again.recorded, again.repeated) == (0, 1)
    assert len(entries(db, "return:")) == 1
    with clock.travel("2026-12-16"):
        december = batch.run_payroll(db, ACCOUNTANT, 202612)
        confirm_payroll(db, 202612)
        lines = b"".join(batch.bank_file(db, ACCOUNTANT, 202612)).decode().splitlines()
        reissue = db.execute(select(PaymentReturn)).scalar_one()
        assert reissue.reissue_run_id == december.id
        assert sum(line.endswith(f"JB202612-TP-{reissue.id}") for line in lines) == 1
        assert [x for x in lines if "TP" in x][0].split(",")[2] == "3000.00"
        assert expense(db) == 500000 * 2 and balanced(db)
    with clock.travel("2027-01-16"):
        batch.run_payroll(db, ACCOUNTANT, 202701)
        assert db.execute(select(func.count()).where(PaymentReturn.reissue_run_id.is_not(None))
                          ).scalar() == 1
        assert expense(db) == 500000 * 3


def test_returns_need_a_completed_run_and_a_file(db):
    awards(db, [300000])
    run = batch.start_run(db, ACCOUNTANT, 202611)
    with pytest.raises(Conflict) as early:
        returns.import_returns(db, ACCOUNTANT, 202611, _return_file(["JB202611-1,1.00,x"]))
    assert early.value.code == "payroll.not_completed"
    batch.run_payroll(db, ACCOUNTANT, run.period)
    with pytest.raises(InvalidInput) as empty:
        returns.import_returns(db, ACCOUNTANT, 202611, _return_file([]))
    assert (empty.value.code, empty.value.field) == ("payroll.return_empty", "file")


def test_repayment_is_booked_with_it_and_a_failure_writes_neither(db, monkeypatch):
    owed = debt(db, awards(db, [300000])[0], 50000)
    entry = recovery.record_repayment(db, ACCOUNTANT, owed, RepaymentIn(
        amount=Decimal("100.00"), reference="收据001"))
    [booked] = entries(db, "repayment:")
    assert (booked.source, booked.fund, booked.amount) == (f"repayment:{entry.id}",
                                                           "pension_enterprise", 10000)
    monkeypatch.setattr(recovery.fund_ledger, "book_recovery",
                        lambda *a, **k: (_ for _ in ()).throw(InvalidInput("x", "拒绝", "amount")))
    with pytest.raises(InvalidInput):
        recovery.record_repayment(db, ACCOUNTANT, owed, RepaymentIn(
            amount=Decimal("50.00"), reference="收据002"))
    monkeypatch.undo()
    assert db.execute(select(func.count()).where(DebtEntry.kind == "repayment")).scalar() == 1
    assert recovery.book_all_repayments(db, ACCOUNTANT) == 0


def test_contribution_file_books_one_entry_per_fund(sessions):
    world = make_world(sessions)
    rows = [pension_row(world, "R1", 202401), pension_row(world, "R2", 202402),
            pension_row(world, "R3", 202401, insurance="unemployment", base="8000.00",
                        employer_amount="40.00", personal_amount="40.00")]
    with sessions() as db:
        item = records.import_contributions(db, ACCOUNTANT, filename="c.csv",
                                            content=collector_csv(rows))
        assert item.posted == 3
        got = {(e.source, e.amount) for e in entries(db, "contribution:")}
        assert got == {(f"contribution:{item.id}:pension_enterprise", 2 * 192000),
                       (f"contribution:{item.id}:unemployment", 8000)}
        records.import_contributions(db, ACCOUNTANT, filename="c.csv", content=collector_csv(rows))
        assert records.book_all_contributions(db, ACCOUNTANT) == 0
        assert len(entries(db, "contribution:")) == 2 and balanced(db)


def test_backfill_books_what_came_before_the_ledger_once(sessions):
    wiring.install()
    world = make_world(sessions)
    with sessions() as db:
        payee = awards(db, [300000])[0]
        owed = debt(db, payee, 50000)
        item = records.import_contributions(db, ACCOUNTANT, filename="c.csv",
                                            content=collector_csv([pension_row(world, "B1", 202401)]))
        recovery.record_repayment(db, ACCOUNTANT, owed, RepaymentIn(amount=Decimal("10.00"),
                                                                   reference="r"))
        run = batch.run_payroll(db, ACCOUNTANT, 202611)
        # as if all of this had been written before the ledger existed
        for table in (EntrySign, JournalLine, JournalEntry):
            db.execute(delete(table))
        db.commit()
        admin = Actor("acc2", frozenset({"accountant"}), True, "cli")
        booked = ledger.backfill(db, admin)
        assert booked == {"contribution_reversals": 0, "contributions": 1, "payroll": 1,
                          "repayments": 1, "subsidies": 0, "transfers": 0}
        assert ledger.backfill(db, admin) == dict.fromkeys(booked, 0)
        sources = {e.source.rsplit(":", 1)[0] for e in db.execute(select(JournalEntry)).scalars()}
        assert sources == {f"contribution:{item.id}", f"payroll:{run.id}", "repayment"}
        assert db.execute(select(func.count()).select_from(ContributionBatch)).scalar() == 1
        assert balanced(db)
