"""The cashier's side of a payroll run in tests: the bank file is released only after every
voucher of the run is confirmed (issue 10, Z-10(2))."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common.models import PayrollRun
from jingban.benefits.payroll import batch
from jingban.core.actor import Actor
from jingban.funds.ledger import service as ledger

CASHIER = Actor("cashier-test", frozenset({"cashier"}), True, "api")


def confirm_payroll(db: Session, period: int) -> int:
    """The cashier confirms every voucher of the month's run; returns how many."""
    run = db.execute(select(PayrollRun).where(PayrollRun.period == period)).scalar_one()
    waiting = batch.waiting_vouchers(db, run)
    for entry in waiting:
        ledger.sign(db, CASHIER, entry.id, "confirm")
    return len(waiting)
