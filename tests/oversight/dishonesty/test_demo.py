"""The demo planting: one subject listed, objected and removed (repaired); one listed now."""

from __future__ import annotations

from sqlalchemy import select

from jingban.cases.models import Case
from jingban.oversight.dishonesty import demo, service
from jingban.oversight.dishonesty.models import DishonestyListing
from tests.oversight.dishonesty.test_lifecycle import INSPECTOR, person_with_credits


def test_plant(sessions):
    with sessions() as db:
        first, second = person_with_credits(db), person_with_credits(db)
        planted = demo.plant(db, first, second)
    with sessions() as db:
        removed = db.get(DishonestyListing, planted.removed)
        assert removed.status == "repaired" and removed.subject_key == first
        steps = [x["step"] for x in service.history(db, INSPECTOR, removed)]
        assert {"listed", "objection", "case_reject", "repaired"} <= set(steps)
        assert [x.id for x in service.published(db)] == [planted.listed]
        pending = db.get(Case, planted.objection_case)
        assert pending.status == "in_review" and pending.item_code == "OVS-DISHONESTY-OBJECTION"
        assert db.scalar(select(DishonestyListing.status).where(
            DishonestyListing.id == planted.listed)) == "listed"
