"""The demo seed: three contracted institutions with price lists; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from jingban.agreements import demo
from jingban.agreements.institutions import service
from jingban.agreements.institutions.models import Institution, PriceItem
from jingban.core import clock


def test_seed_is_idempotent(sessions):
    with sessions() as db:
        first = demo.seed(db)
        assert first.created == 3
        today = clock.today()
        for inst_id in first.institutions:
            assert service.valid_agreement(db, inst_id, today) is not None
            assert len(service.price_list(db, inst_id, today)) == len(demo.PRICES)
        again = demo.seed(db)
        assert again.created == 0 and again.institutions == first.institutions
        assert db.scalar(select(func.count()).select_from(Institution)) == 3
        assert db.scalar(select(func.count()).select_from(PriceItem)) == 3 * len(demo.PRICES)
