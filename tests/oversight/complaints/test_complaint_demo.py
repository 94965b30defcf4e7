"""The demo planting: one complaint through the clock to a reward, one waiting, one transferred;
planting twice plants nothing new."""

from sqlalchemy import func, select

from jingban.oversight.complaints import demo
from jingban.oversight.complaints.models import Complaint
from tests.conftest import uscc


def test_plant_is_complete_and_idempotent(sessions):
    accused = uscc()
    with sessions() as db:
        first = demo.plant(db, accused, "演示被举报单位")
        assert demo.plant(db, accused, "演示被举报单位") == first
        rows = {c.number: c for c in db.execute(select(Complaint)).scalars()}
        assert db.execute(select(func.count()).select_from(Complaint)).scalar() == 3
        rewarded = rows[first.rewarded]
        assert (rewarded.status, rewarded.reward_fen) == ("concluded", 172_800)
        assert rows[first.waiting].status == "received" and rows[first.waiting].anonymous
        assert rows[first.transferred].transferred_to == "医疗保障行政部门"
