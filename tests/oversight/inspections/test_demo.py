"""The demo planting: one inspection through to its handover and a penalty decided, once."""

from __future__ import annotations

from jingban.core import clock
from jingban.oversight.inspections import demo, export, service
from jingban.oversight.penalties import service as penalties
from tests.oversight.inspections.helpers import INSPECTOR, employer


def test_demo_plants_one_handover_and_a_penalty(db):
    assert demo.seed(db) is None  # no employer yet
    unit = employer(db, "演示核查单位")
    seeded = demo.seed(db)
    row = service.get_inspection(db, INSPECTOR, seeded.inspection_id)
    assert (row.subject_ref, row.status, row.handed_over_on) == (unit.uscc, "handed_over", clock.today())
    assert row.correct_by < clock.today() and seeded.handover_number == row.handover_number
    assert export.handover_pdf(db, INSPECTOR, row.id)[0].startswith(b"%PDF")
    penalty = penalties.get_penalty(db, INSPECTOR, seeded.penalty_id)
    assert (penalty.status, penalty.fine, penalty.amount) == ("decided", 1_720_000, 860_000)
    assert demo.seed(db) is None  # once
