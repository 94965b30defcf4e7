"""The demo's oversight (jingban.demo_oversight): an inspection handed over, a complaint rewarded,
one subject removed from the dishonesty list and one listed, the planted anomalies found by the
monitors and one turned into an inspection; seeded once, the audit chain intact."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jingban import demo, demo_oversight
from jingban.core import audit, clock
from jingban.oversight.complaints.models import Complaint
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.oversight.inspections import service as inspections
from jingban.oversight.monitors import service as monitor_service
from jingban.oversight.monitors.models import MonitorHit
from jingban.oversight.monitors.schemas import InspectIn

TODAY = "2026-12-07"


def test_demo_oversight_shows_each_part_once(engine, settings, sessions):
    demo.generate(engine, settings, persons=150, employers=8, seed=3, as_of=dt.date(2026, 6, 30))
    with clock.travel(TODAY), sessions() as db:
        seeded = demo_oversight.seed(db)
        assert seeded is not None and seeded.inspection.handover_number
        rewarded = db.execute(select(Complaint).where(Complaint.number == seeded.complaints.rewarded)
                              ).scalar_one()
        assert rewarded.reward_fen and rewarded.reward_fen > 0
        removed = db.get(DishonestyListing, seeded.listing.removed)
        listed = db.get(DishonestyListing, seeded.listing.listed)
        assert removed.status != listed.status
        assert seeded.planted and seeded.hits >= len(seeded.planted)
        hit = db.execute(select(MonitorHit).where(MonitorHit.status == "open")
                         .order_by(MonitorHit.id)).scalars().first()
        marked = monitor_service.mark_for_inspection(db, demo_oversight.dishonesty.INSPECTOR, hit.id,
                                                     InspectIn(reason="演示：转入核查"))
        assert inspections.by_case(db, marked.inspection_case_id).origin == f"hit:{hit.id}"
        assert demo_oversight.seed(db) is None  # once
        assert audit.verify(db).ok
