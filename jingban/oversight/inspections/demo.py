"""Inspection data for the demo region (issue 12 "Done when"): one inspection of a generated
employer through to its handover, and a fraud penalty decided on it, all through the services and
the case engine, so its cases, timeline, order, handover sheet and penalty show in the pages.

The order to correct is dated ``ORDERED_WD_AGO`` working days back (the clock travels there), so
its deadline has passed unheeded when the handover is made today. ``seed`` does nothing when an
inspection of demo origin exists already."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.oversight.inspections import service
from jingban.oversight.inspections.models import Inspection
from jingban.oversight.inspections.schemas import ConclusionIn, HandoverIn
from jingban.oversight.penalties import service as penalties
from jingban.oversight.penalties.schemas import DecisionIn, ProposalIn
from jingban.registration.models import Employer

ORIGIN = "demo:inspection"
ORDERED_WD_AGO = 30
INSPECTOR = Actor("demo_inspector", frozenset({"inspector"}), True, "counter")
REVIEWERS = [Actor("demo_reviewer_1", frozenset({"reviewer_1"}), False, "counter"),
             Actor("demo_reviewer_2", frozenset({"reviewer_2"}), False, "counter"),
             Actor("demo_reviewer_3", frozenset({"reviewer_3"}), True, "counter")]


@dataclass
class Seeded:
    inspection_id: int
    handover_number: str
    penalty_id: int


def _approve(db: Session, case_id: int, levels: int) -> None:
    for level in range(1, levels + 1):
        cases.decide(db, REVIEWERS[level - 1], case_id, level, "approve", "同意")


def _ordered_on(today: dt.date) -> dt.date:
    """About ``ORDERED_WD_AGO`` working days back (weekdays; the calendar decides the deadline)."""
    day, left = today, ORDERED_WD_AGO
    while left:
        day -= dt.timedelta(days=1)
        left -= day.weekday() < 5
    return day


def seed(db: Session) -> Seeded | None:
    """One inspection filed, concluded with an order, handed over after the deadline, and a
    penalty decided on it; None when there is no employer or the demo inspection exists."""
    if service.by_origin(db, ORIGIN) is not None:
        return None
    unit = db.execute(select(Employer).where(Employer.status == "active").order_by(Employer.id)
                      .limit(1)).scalar()
    if unit is None:
        return None
    today = clock.today()
    with clock.travel(_ordered_on(today)):
        case = service.open_inspection(db, INSPECTOR, subject_kind="employer", subject_ref=unit.uscc,
                                       reason="监测发现单位申报缴费基数明显低于同行业平均工资",
                                       origin=ORIGIN)
        row = service.by_case(db, case.id)
        _approve(db, service.submit_conclusion(db, INSPECTOR, row.id, ConclusionIn(
            findings="抽查工资发放记录，2026年1月至6月按最低基数申报职工18人，实际工资高于申报基数",
            violation=True, order_text="按职工实际工资更正缴费基数并补缴差额", correction_wd=15)).id, 2)
    _approve(db, service.submit_handover(db, INSPECTOR, row.id, HandoverIn(
        department="hrss", note="责令改正期限届满，单位未改正")).id, 1)
    penalty = penalties.propose(db, INSPECTOR, ProposalIn(
        kind="fraud", inspection_id=row.id, amount="8600.00", fund="unemployment",
        facts="以虚假工资表申领失业保险稳岗返还8600元"))
    _approve(db, penalties.submit_decision(db, INSPECTOR, penalty.id, DecisionIn(
        fine="17200.00", reason="首次违法且已配合核查，按骗取金额2倍处罚")).id, 3)
    db.refresh(row)
    found: Inspection = row
    return Seeded(found.id, found.handover_number or "", penalty.id)
