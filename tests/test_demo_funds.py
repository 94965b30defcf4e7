"""The demo's fund books (jingban.demo_funds): balanced per fund, swept and closed month by month,
reports filed, last year disclosed, one difference left to reconcile — booked once."""

from __future__ import annotations

import datetime as dt

from jingban import demo, demo_funds
from jingban.core import audit, clock
from jingban.funds.ledger import rules
from jingban.funds.ledger import service as ledger
from jingban.funds.reconciliation import service as reconciliation
from jingban.funds.reports import service as reports

TODAY = "2026-12-07"


def test_demo_books_balance_and_show_each_part(engine, settings, sessions, tmp_path):
    demo.generate(engine, settings, persons=150, employers=8, seed=3, as_of=dt.date(2026, 6, 30))
    with clock.travel(TODAY), sessions() as db:
        seeded = demo_funds.seed(db, tmp_path)
        db.commit()
        assert seeded.months == 23 and seeded.published == 2025  # 2025-01 … 2026-11
        accountant = demo_funds.ACCOUNTANT
        for fund in rules.FUNDS:
            assert ledger.trial_balance(db, accountant, fund, 202611)["balanced"]
            assert ledger.bank_balances(db, fund, 202611)["income"] == 0  # swept every month
        assert ledger.unconfirmed(db, "demo:") == []
        record = reconciliation.get(db, accountant, seeded.reconciliation_id)
        statement = reconciliation.current_statement(db, record)
        found = reconciliation.differences_of(db, statement.id)
        assert [(x.kind, x.statement_amount) for x in found] == [
            ("missing_in_ledger", demo_funds.MISSING_INTEREST)]
        institution = reports.monthly_report(db, accountant, "pension_institution", 202611)
        assert institution["warning"]  # pays out more than it takes in: below the 3-month line
        assert not reports.monthly_report(db, accountant, "pension_enterprise", 202611)["warning"]
        assert 2025 in reports.disclosed_years(db)
        due = [r for r in reports.pending(db, accountant) if r["period"] == 202611]
        assert due and all(r["state"] == "due" for r in due)  # left for the walk, due 12-15
        assert demo_funds.seed(db, tmp_path) is None  # once
        assert audit.verify(db).ok
