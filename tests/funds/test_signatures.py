"""Signatures on vouchers (Z-10(2)): the cashier confirms the bank movement, a reviewer approves
a manual entry or reversal, and nobody signs two steps of one voucher."""

from __future__ import annotations

import pytest

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, PermissionDenied
from jingban.funds.ledger import rules
from jingban.funds.ledger import service as ledger

ACC = Actor("acc", frozenset({"accountant"}), True, "test")
CASHIER = Actor("cash", frozenset({"cashier"}), True, "test")
REVIEWER = Actor("rev", frozenset({"reviewer_1"}), True, "test")
FUND = "pension_enterprise"


def test_steps_needed_and_state():
    banks = {"income": 1002, "fiscal": 1003, "expenditure": 1004}
    assert rules.steps_needed("auto", {1002, 4001}, banks) == ["confirm"]
    assert rules.steps_needed("manual", {5001, 5501}, banks) == ["approve"]
    assert rules.steps_needed("reversal", {1004, 5001}, banks) == ["approve", "confirm"]
    assert rules.state_of(["approve", "confirm"], {"approve": "rev"}) == "待出纳确认"
    assert rules.state_of(["confirm"], {"confirm": "cash"}) == "已完成"
    assert rules.sign_problem("confirm", "rev", "acc", {}, ["approve", "confirm"]) == "请先完成复核审批"


def test_cashier_confirms_once_and_never_the_preparer(db):
    with clock.travel("2026-10-10"):
        entry = ledger.book_contribution(db, ACC, FUND, 100000, "contribution:9:" + FUND, "征收划入")
    assert [x.id for x in ledger.unconfirmed(db, "contribution:9:")] == [entry.id]
    assert [x.id for x in ledger.awaiting(db, CASHIER, "confirm")] == [entry.id]
    with pytest.raises(PermissionDenied):
        ledger.sign(db, ACC, entry.id, "confirm")
    preparer = Actor("acc", frozenset({"cashier"}), True, "test")  # same user name, other hat
    with pytest.raises(Conflict) as refused:
        ledger.sign(db, preparer, entry.id, "confirm")
    assert refused.value.code == "funds.same_person"
    with pytest.raises(Conflict) as refused:
        ledger.sign(db, REVIEWER, entry.id, "approve")
    assert refused.value.code == "funds.sign"
    ledger.sign(db, CASHIER, entry.id, "confirm")
    assert ledger.unconfirmed(db, "contribution:9:") == []
    assert ledger.entry_state(db, entry) == "已完成"
    with pytest.raises(Conflict):
        ledger.sign(db, Actor("cash2", frozenset({"cashier"}), True, "test"), entry.id, "confirm")
