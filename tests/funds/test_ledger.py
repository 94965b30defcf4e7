"""The ledger's own acts (SPEC §9, R§39–§41): refusals that write nothing, closed periods, the
expenditure account's covering rule, the month-end sweep (idempotent, resumable), the trial
balance, voucher states and queues."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput
from jingban.core.models import AuditEvent
from jingban.funds.ledger import rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.ledger.rules import Line

ACC = Actor("acc", frozenset({"accountant"}), True, "test")
CASHIER = Actor("cash", frozenset({"cashier"}), True, "test")
FUND, OTHER = "pension_enterprise", "unemployment"
BANKS = {"income": 1002, "fiscal": 1003, "expenditure": 1004}
SOURCES = [1003, 4601, 4701, 4301, 5001]


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def contribute(db, fund: str, fen: int, tag: str) -> JournalEntry:
    return ledger.book_contribution(db, ACC, fund, fen, f"contribution:{tag}:{fund}", "征收划入")


@pytest.mark.parametrize(("lines", "code"), [
    ([Line(5501, debit=100), Line(1003, credit=99)], "funds.unbalanced"),
    ([Line(5599, debit=100), Line(1003, credit=100)], "funds.unknown_account"),
    ([Line(5501, debit=100)], "funds.invalid_entry"),
    ([Line(1004, debit=100), Line(4801, credit=100)], "funds.expenditure_source"),
])
def test_each_refusal_writes_nothing(db, lines, code):
    with clock.travel("2026-10-12"), pytest.raises(InvalidInput) as refused:
        ledger.book(db, ACC, fund=FUND, source="t:1", memo="测试", lines=lines)
    assert refused.value.code == code and refused.value.field == "lines"
    assert count(db, JournalEntry) == count(db, AuditEvent) == 0


def test_unknown_fund_and_a_future_day_are_refused(db):
    with clock.travel("2026-10-12"):
        with pytest.raises(InvalidInput) as refused:
            ledger.book(db, ACC, fund="nofund", source="t:1", memo="测试",
                        lines=[Line(5501, debit=1), Line(1003, credit=1)])
        assert (refused.value.code, refused.value.field) == ("funds.unknown_fund", "fund")
        with pytest.raises(InvalidInput) as refused:
            ledger.book(db, ACC, fund=FUND, source="t:2", memo="测试", on=clock.today().replace(day=13),
                        lines=[Line(5501, debit=1), Line(1003, credit=1)])
        assert refused.value.code == "funds.future_date"
    assert count(db, JournalEntry) == 0


def test_closed_period_takes_nothing_more(db):
    with clock.travel("2026-09-10"):
        contribute(db, FUND, 30000, "a")
    with clock.travel("2026-10-12"):
        with pytest.raises(Conflict) as refused:  # the income account is not swept yet
            ledger.close_period(db, ACC, FUND, 202609)
        assert refused.value.code == "funds.income_not_swept"
        ledger.sweep(db, ACC, 202609)
        ledger.close_period(db, ACC, FUND, 202609)
        before = count(db, JournalEntry)
        with pytest.raises(Conflict) as refused:
            ledger.book(db, ACC, fund=FUND, source="t:late", memo="补记",
                        on=clock.today().replace(day=30, month=9),
                        lines=[Line(5501, debit=1), Line(1003, credit=1)])
        assert refused.value.code == "funds.period_closed"
        assert count(db, JournalEntry) == before
        with pytest.raises(Conflict) as refused:  # the current month cannot close before its end
            ledger.close_period(db, ACC, FUND, 202610)
        assert refused.value.code == "funds.period_open"


def test_expenditure_account_covering_rule():
    assert rules.expenditure_problem(rules.payroll_lines(BANKS, 1000, 200), BANKS, SOURCES) is None
    assert rules.expenditure_problem(rules.returned_lines(BANKS, 500), BANKS, SOURCES) is None
    assert rules.expenditure_problem(rules.interest_lines(BANKS, "expenditure", 9), BANKS, SOURCES) is None
    assert rules.expenditure_problem(rules.transfer_lines(BANKS, "out", 700), BANKS, SOURCES) is None
    partly = [Line(1004, debit=100), Line(1003, credit=60), Line(4801, credit=40)]
    assert "支出户" in rules.expenditure_problem(partly, BANKS, SOURCES)
    covered = [Line(1004, debit=60), Line(5501, debit=40), Line(1003, credit=60), Line(4801, credit=40)]
    assert rules.expenditure_problem(covered, BANKS, SOURCES) is None
    assert rules.expenditure_problem([Line(5501, debit=5), Line(4801, credit=5)], BANKS, SOURCES) is None


def test_payroll_passes_the_covering_rule_in_the_ledger(db):
    with clock.travel("2026-10-12"):
        entry = ledger.book_payroll(db, ACC, FUND, 100000, 5000, "payroll:t:" + FUND, "待遇发放")
    assert entry.amount == 95000 + 100000
    assert ledger.bank_balances(db, FUND, 202610) == {"income": 0, "fiscal": -95000, "expenditure": 0}


def test_sweep_to_zero_and_a_rerun_changes_nothing(db):
    with clock.travel("2026-10-12"):
        contribute(db, FUND, 120000, "a")
        contribute(db, OTHER, 4500, "a")
    with clock.travel("2026-11-03"):
        contribute(db, FUND, 7700, "b")  # next month's income stays for next month
        swept = ledger.sweep(db, ACC, 202610)
        assert sorted((x.fund, x.amount, x.period, x.entry_on.isoformat()) for x in swept) == [
            (FUND, 120000, 202610, "2026-10-31"), (OTHER, 4500, 202610, "2026-10-31")]
        for fund in rules.FUNDS:
            assert ledger.bank_balances(db, fund, 202610)["income"] == 0
        entries, audits = count(db, JournalEntry), count(db, AuditEvent)
        assert ledger.sweep(db, ACC, 202610) == []
        assert (count(db, JournalEntry), count(db, AuditEvent)) == (entries, audits)
        assert ledger.bank_balances(db, FUND, 202611)["income"] == 7700
        with pytest.raises(InvalidInput) as refused:
            ledger.sweep(db, ACC, 202612)
        assert refused.value.code == "funds.period_future"


def test_income_booked_after_a_sweep_in_the_same_month_is_swept_by_a_second(db):
    with clock.travel("2026-10-31"):
        contribute(db, FUND, 1000, "a")
        first = ledger.sweep(db, ACC, 202610)
        contribute(db, FUND, 250, "b")
        second = ledger.sweep(db, ACC, 202610)
    assert [x.source for x in first + second] == [f"sweep:202610:{FUND}", f"sweep:202610:{FUND}:2"]
    assert ledger.bank_balances(db, FUND, 202610) == {"income": 0, "fiscal": 1250, "expenditure": 0}


class Crash(Exception):
    pass


def test_a_sweep_interrupted_after_one_fund_resumes(db):
    with clock.travel("2026-10-12"):
        for fund in rules.FUNDS:
            contribute(db, fund, 1000, "a")

        def crash_after_first(done: int, _total: int) -> None:
            if done == 1:
                raise Crash

        with pytest.raises(Crash):
            ledger.sweep(db, ACC, 202610, progress=crash_after_first)
        db.rollback()
        left = {f: ledger.bank_balances(db, f, 202610)["income"] for f in rules.FUNDS}
        first = next(iter(rules.FUNDS))
        assert left == {f: 0 if f == first else 1000 for f in rules.FUNDS}
        steps = []
        rest = ledger.sweep(db, ACC, 202610, progress=lambda done, total: steps.append((done, total)))
        assert sorted(x.fund for x in rest) == sorted(set(rules.FUNDS) - {first})
        assert steps[-1] == (len(rules.FUNDS), len(rules.FUNDS))
        assert all(ledger.bank_balances(db, f, 202610)["income"] == 0 for f in rules.FUNDS)
        assert count(db, JournalEntry) == 2 * len(rules.FUNDS)


def test_trial_balance_balances_and_shows_each_account(db):
    with clock.travel("2026-10-12"):
        contribute(db, FUND, 90000, "a")
        ledger.book_payroll(db, ACC, FUND, 30000, 0, "payroll:t:" + FUND, "待遇发放")
        ledger.book_interest(db, ACC, FUND, "fiscal", 123, "JX-1")
        ledger.sweep(db, ACC, 202610)
        shown = ledger.trial_balance(db, ACC, FUND, 202610)
    assert shown["balanced"] and shown["debit"] == shown["credit"]
    rows = {r["account"]: r for r in shown["rows"]}
    assert rows[1002]["balance"] == 0
    assert rows[1003]["balance"] == 90000 + 123 - 30000
    assert (rows[4001]["balance"], rows[5001]["balance"], rows[4301]["balance"]) == (90000, 30000, 123)
    assert ledger.trial_balance(db, ACC, OTHER, 202610)["debit"] == 0


def test_signatures_states_and_queues(db):
    with clock.travel("2026-10-12"):
        income = contribute(db, FUND, 100, "a")
        interest = ledger.book_interest(db, ACC, OTHER, "fiscal", 5, "JX-2")
        plain = ledger.book(db, ACC, fund=FUND, source="t:plain", memo="内部", kind="auto",
                            lines=[Line(5501, debit=3), Line(4801, credit=3)])
        assert ledger.states(db, [income, interest, plain]) == {
            income.id: "awaiting_confirm", interest.id: "awaiting_confirm", plain.id: "done"}
        queue = ledger.awaiting(db, CASHIER, "confirm")
        assert [x.id for x in queue] == [income.id, interest.id]  # oldest first
        ledger.sign(db, CASHIER, income.id, "confirm")
        assert [x.id for x in ledger.entries(db, CASHIER, state="awaiting_confirm")] == [interest.id]
        assert {x.id for x in ledger.entries(db, CASHIER, state="done")} == {income.id, plain.id}
        assert [x.id for x in ledger.entries(db, CASHIER, kind="interest")] == [interest.id]
        assert [x.id for x in ledger.entries(db, CASHIER, fund=OTHER, period=202610)] == [interest.id]
        shown = ledger.entry_view(db, CASHIER, income.id)
        assert shown["state"] == "done" and shown["signatures"][0]["username"] == "cash"
        assert [x["name"] for x in shown["lines"]] == ["收入户存款", "社会保险费收入"]
        for bad in ({"kind": "nope"}, {"state": "nope"}, {"fund": "nope"}, {"period": 202613}):
            with pytest.raises(InvalidInput):
                ledger.entries(db, CASHIER, **bad)
        with pytest.raises(InvalidInput):
            ledger.awaiting(db, CASHIER, "stamp")
