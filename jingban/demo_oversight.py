"""The demo region's oversight (issue 12): an inspection through to its handover and a penalty,
complaints through the clock to a reward, one subject listed and removed and one listed with an
objection in review, and anomalies planted and found by the monitors. Run once, after the
region, the pensions and the fund books; a second run plants nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.oversight.complaints import demo as complaints
from jingban.oversight.dishonesty import demo as dishonesty
from jingban.oversight.inspections import demo as inspections
from jingban.oversight.monitors import batch as monitors
from jingban.oversight.monitors import demo as monitor_planting
from jingban.registration.models import Employer, Person


@dataclass
class Seeded:
    inspection: inspections.Seeded
    complaints: complaints.Planted
    listing: dishonesty.Planted | None
    planted: dict[str, str]  # monitor → the person planted
    hits: int


def seed(db: Session) -> Seeded | None:
    """None when the region is empty or already seeded (the demo inspection exists)."""
    if (inspection := inspections.seed(db)) is None:
        return None
    unit = db.execute(select(Employer).where(Employer.status == "active").order_by(Employer.id.desc())
                      .limit(1)).scalar_one()
    told = complaints.plant(db, unit.uscc, unit.name)
    # Two persons from the middle of the register: clear of the portal login (the first), the
    # pension demo and the monitors' planting (the last ones).
    active = select(Person.ssn).where(Person.status == "active").order_by(Person.id)
    pair = db.execute(active.offset(10).limit(2)).scalars().all()
    listing = dishonesty.plant(db, *pair) if len(pair) == 2 else None  # a tiny region has none
    planted = monitor_planting.plant(db)
    db.commit()
    runs = monitors.run_monitors(db, dishonesty.INSPECTOR)
    db.commit()
    return Seeded(inspection, told, listing, planted, sum(run.hits for run in runs))
