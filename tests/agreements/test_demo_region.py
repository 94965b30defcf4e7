"""The demo region's institutions, claims, settlements and the unemployed person
(jingban.agreements.demo.seed_region, jingban.benefits.unemployment.demo): every rule flagged,
every flagged line decided, each settlement booked, the benefit in payment; a second run adds
nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from jingban import demo
from jingban.agreements import demo as agreements_demo
from jingban.agreements.claims import rules
from jingban.agreements.claims.models import Claim, ClaimDecision, ClaimFlag, ClaimLine, ClaimSettlement
from jingban.benefits.unemployment import demo as unemployment_demo
from jingban.core import audit, clock
from jingban.funds.ledger.models import JournalEntry

TODAY = "2026-12-07"


def test_demo_region_has_institutions_claims_settlements_and_an_unemployed_person(
        engine, settings, sessions):
    demo.generate(engine, settings, persons=120, employers=6, seed=5, as_of=dt.date(2026, 6, 30))
    with clock.travel(TODAY), sessions() as db:
        seeded = agreements_demo.seed_region(db)
        assert seeded.period == 202611 and seeded.institutions == 5
        hit = set(db.scalars(select(ClaimFlag.rule).distinct()))
        assert hit == set(rules.RULES)  # a planted violation of every rule
        undecided = db.scalars(select(Claim.claim_no).join(
            ClaimLine, ClaimLine.claim_id == Claim.id).join(ClaimFlag, ClaimFlag.line_id == ClaimLine.id)
            .where(ClaimFlag.line_id.not_in(select(ClaimDecision.line_id)))).all()
        # only the late upload waits for the reviewer (and the supplementary settlement)
        assert sorted(undecided) == ["A-LATE-1", "A-LATE-2"] and seeded.flagged > 10
        assert db.scalar(select(func.count()).select_from(Claim).where(
            Claim.settlement_id.is_(None))) == 3
        assert len(seeded.settlements) == 2
        for row in db.scalars(select(ClaimSettlement)):
            assert row.status == "paid" and row.cut_fen > 0
            entry = db.get(JournalEntry, row.entry_id) if row.fund_fen else None
            assert row.fund_fen == 0 or entry.source == f"claims-settlement:{row.id}"
        assert seeded.breach_id is not None
        unemployed = unemployment_demo.seed(db, settings.region)
        assert unemployed.award.status == "active" and unemployed.award.start_period == 202611
        assert unemployed.award.last_period == 202804  # 6 years paid: 18 months from 2026-11
        again = agreements_demo.seed_region(db)
        assert again.claims == seeded.claims and again.breach_id == seeded.breach_id
        assert [s.id for s in again.settlements] == [s.id for s in seeded.settlements]
        assert unemployment_demo.seed(db, settings.region).award.id == unemployed.award.id
        assert audit.verify(db).ok
