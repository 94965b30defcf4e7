"""The demo seed: a maternity allowance, a chronic recognition and a manual reimbursement in
a generated region, each through the case engine; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from jingban import demo as region
from jingban.benefits.common.models import Award
from jingban.benefits.medical import demo
from jingban.benefits.medical.models import ChronicRecognition, ManualClaim
from jingban.cases.models import Case


def test_demo_holds_medical_and_maternity_recipients(engine, settings, sessions):
    region.generate(engine, settings, persons=300, employers=10)
    with sessions() as db:
        seeded = demo.seed(db)
        db.commit()
        assert seeded is not None and len(seeded.cases) == 3
        assert db.scalar(select(func.count()).select_from(Case).where(Case.status == "completed")) == 3
        allowance = db.execute(select(Award).where(Award.kind == "maternity")).scalar_one()
        assert allowance.person_id == seeded.mother.id and allowance.monthly_amount > 0
        claim = db.execute(select(ManualClaim)).scalar_one()
        assert claim.person_id == seeded.patient.id and claim.fund_fen > 0
        assert db.scalar(select(func.count()).select_from(ChronicRecognition)) == 1
        assert demo.seed(db) is None
