"""Manual entries and reversals through the case engine (SPEC §2 high-risk, Z-10(2)): the
accountant takes the case in, three reviewers decide, the last approval books the voucher as
the accountant's with that reviewer's signature, and the cashier confirms the bank movement."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, PermissionDenied
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.ledger.schemas import ManualEntryIn, ReversalIn

ACC = Actor("acc", frozenset({"accountant"}), True, "api")
CASHIER = Actor("cash", frozenset({"cashier"}), True, "api")
R1 = Actor("r1", frozenset({"reviewer_1"}), False, "api")
R2 = Actor("r2", frozenset({"reviewer_2"}), False, "api")
R3 = Actor("r3", frozenset({"reviewer_3"}), True, "api")
CLERK = Actor("clerk", frozenset({"clerk"}), False, "api")
FUND = "pension_enterprise"
DAY = "2026-10-12"


def manual(lines, fund=FUND, **extra) -> ManualEntryIn:
    return ManualEntryIn(fund=fund, memo="更正上月利息收入科目", lines=lines, **extra)


GOOD = [{"account": 5501, "debit": "100.00"}, {"account": 1003, "credit": "100.00"}]


def approve_all(db, case_id: int) -> Case:
    for level, who in ((1, R1), (2, R2), (3, R3)):
        case = cases.decide(db, who, case_id, level, "approve", "同意")
    return case


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_manual_entry_end_to_end(db):
    with clock.travel(DAY):
        case = ledger.open_manual(db, ACC, manual(GOOD))
        assert (case.status, case.levels_required, case.intake_by) == ("in_review", 3, "acc")
        assert count(db, JournalEntry) == 0  # checked at intake, booked only on approval
        case = approve_all(db, case.id)
        assert case.status == "completed"
        entry = db.execute(select(JournalEntry).where(JournalEntry.case_id == case.id)).scalar_one()
        assert case.subject == f"fund_entry:{entry.id}"
        assert (entry.kind, entry.booked_by, entry.fund, entry.amount) == ("manual", "acc", FUND, 10000)
        assert ledger.signatures(db, entry.id) == {"approve": "r3"}
        assert ledger.entry_state(db, entry) == "待出纳确认"
        assert [x.id for x in ledger.awaiting(db, CASHIER, "confirm")] == [entry.id]
        with pytest.raises(Conflict) as refused:  # the approver never confirms
            ledger.sign(db, Actor("r3", frozenset({"cashier"}), True, "api"), entry.id, "confirm")
        assert refused.value.code == "funds.same_person"
        ledger.sign(db, CASHIER, entry.id, "confirm")
        assert ledger.entry_state(db, entry) == "已完成"
        assert ledger.trial_balance(db, ACC, FUND, 202610)["balanced"]
        assert audit.verify(db).ok  # the intake's dry run left no gap in the chain


def test_reversal_end_to_end_once(db):
    with clock.travel(DAY):
        entry = ledger.book_contribution(db, ACC, FUND, 50000, "contribution:t:" + FUND, "征收划入")
        case = ledger.open_reversal_case(db, ACC, ReversalIn(entry_id=entry.id, reason="重复入账"))
        with pytest.raises(Conflict) as refused:  # a reversal case for it is open
            ledger.open_reversal_case(db, ACC, ReversalIn(entry_id=entry.id, reason="再次"))
        assert refused.value.code == "funds.reversal_open"
        approve_all(db, case.id)
        reversal = db.execute(select(JournalEntry).where(JournalEntry.reverses_id == entry.id)).scalar_one()
        assert (reversal.kind, reversal.booked_by, reversal.case_id) == ("reversal", "acc", case.id)
        assert sorted((x.account, x.debit, x.credit) for x in reversal.lines) == [
            (1002, 0, 50000), (4001, 50000, 0)]
        assert ledger.signatures(db, reversal.id) == {"approve": "r3"}
        assert ledger.bank_balances(db, FUND, 202610)["income"] == 0
        for target, code in ((entry.id, "funds.reversed"), (reversal.id, "funds.reverse_reversal")):
            with pytest.raises(Conflict) as refused:
                ledger.open_reversal_case(db, ACC, ReversalIn(entry_id=target, reason="再冲"))
            assert refused.value.code == code
        assert count(db, Case) == 1
        assert audit.verify(db).ok


def test_only_the_accountant_takes_it_in_and_never_reviews_it(db):
    with clock.travel(DAY):
        for actor in (CLERK, R1, CASHIER):
            with pytest.raises(PermissionDenied) as refused:
                ledger.open_manual(db, actor, manual(GOOD))
            assert refused.value.code == "case.intake_role"
        case = ledger.open_manual(db, ACC, manual(GOOD))
        both = Actor("acc", frozenset({"accountant", "reviewer_1"}), True, "api")
        with pytest.raises(PermissionDenied) as refused:
            cases.decide(db, both, case.id, 1, "approve", "同意")
        assert refused.value.code == "case.self_review"
        cases.decide(db, R1, case.id, 1, "approve", "同意")
        with pytest.raises(PermissionDenied) as refused:  # one reviewer, one level
            cases.decide(db, Actor("r1", frozenset({"reviewer_2"}), False, "api"), case.id, 2,
                         "approve", "同意")
        assert refused.value.code == "case.same_reviewer"


@pytest.mark.parametrize(("lines", "fund", "code", "field"), [
    ([{"account": 5501, "debit": "100.00"}, {"account": 1003, "credit": "99.99"}], FUND,
     "funds.unbalanced", "lines"),
    ([{"account": 5501, "debit": "1"}, {"account": 1003, "credit": "1", "fund": "unemployment"}],
     FUND, "funds.two_funds", "lines.1.fund"),
    ([{"account": 5599, "debit": "1"}, {"account": 1003, "credit": "1"}], FUND,
     "funds.unknown_account", "lines"),
    ([{"account": 1004, "debit": "10"}, {"account": 4801, "credit": "10"}], FUND,
     "funds.expenditure_source", "lines"),
    ([{"account": 5501, "debit": "1.001"}, {"account": 1003, "credit": "1.001"}], FUND,
     "money.precision", "lines.0.debit"),
    (GOOD, "nofund", "funds.unknown_fund", "fund"),
])
def test_a_bad_voucher_is_refused_at_intake_and_nothing_is_written(db, lines, fund, code, field):
    with clock.travel(DAY), pytest.raises(InvalidInput) as refused:
        ledger.open_manual(db, ACC, manual(lines, fund=fund))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert count(db, Case) == count(db, JournalEntry) == 0


def test_closed_period_refused_at_intake_and_again_at_approval(db):
    with clock.travel(DAY):
        ledger.close_period(db, ACC, FUND, 202609)
        with pytest.raises(Conflict) as refused:
            ledger.open_manual(db, ACC, manual(GOOD, entry_on="2026-09-15"))
        assert refused.value.code == "funds.period_closed"
        assert count(db, Case) == 0
        case = ledger.open_manual(db, ACC, manual(GOOD, entry_on="2026-10-09"))
        cases.decide(db, R1, case.id, 1, "approve", "同意")
        cases.decide(db, R2, case.id, 2, "approve", "同意")
    with clock.travel("2026-11-02"):
        ledger.close_period(db, ACC, FUND, 202610)
        with pytest.raises(Conflict) as refused:  # the act runs again at the last approval
            cases.decide(db, R3, case.id, 3, "approve", "同意")
        assert refused.value.code == "funds.period_closed"
        db.refresh(case)
        assert (case.status, case.levels_done) == ("in_review", 2)
        assert count(db, JournalEntry) == 0
        assert audit.verify(db).ok


def test_the_acts_run_only_for_their_case(db):
    with clock.travel(DAY):
        entry = ledger.book_contribution(db, ACC, FUND, 100, "contribution:u:" + FUND, "征收划入")
        for run, data in ((ledger.manual_entry, manual(GOOD)),
                          (ledger.reverse_entry, ReversalIn(entry_id=entry.id, reason="错"))):
            for actor in (ACC, R3.via("case"), R3.via("case").for_case(999)):
                with pytest.raises(Conflict) as refused:
                    run(db, actor, None, data)
                assert refused.value.code == "funds.case_required"
        case = ledger.open_reversal_case(db, ACC, ReversalIn(entry_id=entry.id, reason="错"))
        with pytest.raises(Conflict):  # before its last level, the case cannot book
            ledger.reverse_entry(db, R3.via("case").for_case(case.id), None,
                                 ReversalIn(entry_id=entry.id, reason="错"))
        assert not hasattr(ledger, "reverse")
        assert count(db, JournalEntry) == 1
