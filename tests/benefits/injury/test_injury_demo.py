"""The demo region holds recipients of every kind of injury benefit, each taken through the
case engine, and the next payroll pays them from the injury fund."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban import demo
from jingban.benefits.common.models import Award
from jingban.benefits.injury import demo as injury_demo
from jingban.core import clock
from tests.benefits.stop_helpers import TODAY, payroll


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_demo_injury_recipients(engine, settings, sessions):
    demo.generate(engine, settings, persons=200, employers=8, seed=3, as_of=dt.date(2026, 6, 30))
    with sessions() as db:
        seeded = injury_demo.seed(db)
        assert seeded is not None
        found = db.execute(select(Award.kind, Award.status, Award.person_id)).all()
    kinds = {kind for kind, _, _ in found}
    assert {"injury_grant", "injury_allowance", "injury_nursing", "injury_ending", "injury_death",
            "injury_dependant"} <= kinds
    assert ("injury_dependant", "active", seeded.dependant.id) in found
    payroll(sessions, 202612)
    with sessions() as db:
        from jingban.funds.ledger.models import JournalEntry

        booked = db.execute(select(JournalEntry.fund).where(JournalEntry.source.like("payroll:%")))
        assert booked.scalars().all() == ["injury"]


def test_demo_holds_a_re_appraised_worker_seen_on_the_record_and_the_portal(
        engine, settings, sessions, client, make_user):  # benfix: issue 11 item 3
    # The fifth worker: first appraised grade 4 (allowance 75 % of 本人工资), determined, then
    # 再次鉴定 to grade 2 (85 %). With 本人工资 W fen the old allowance is round(0.75 W), the new
    # one 0.85 W from the month after the new conclusion; the old award 已重新核定 (replaced),
    # and the grant difference (25 − 21) × W is paid once (demo region pays it). E.g. W = 600000:
    # 450000 → 510000 a month, difference 2400000.
    from jingban.benefits.injury.models import Recognition
    from jingban.core.money import format_yuan
    from tests.benefits.portal_helpers import portal_user
    from tests.web.helpers import sign_in

    demo.generate(engine, settings, persons=200, employers=8, seed=3, as_of=dt.date(2026, 6, 30))
    with sessions() as db:
        seeded = injury_demo.seed(db)
        worker = seeded.reappraised
        assert worker is not None
        wage = db.execute(select(Recognition.own_wage).where(
            Recognition.person_id == worker.id)).scalar_one()
        allowances = db.execute(select(Award.status, Award.monthly_amount).where(
            Award.person_id == worker.id, Award.kind == "injury_allowance").order_by(Award.id)).all()
        grants = db.execute(select(Award.monthly_amount).where(
            Award.person_id == worker.id, Award.kind == "injury_grant").order_by(Award.id)).scalars().all()
        ssn = worker.ssn
    assert [tuple(a) for a in allowances] == [("replaced", (wage * 75 + 50) // 100),
                                              ("active", wage * 85 // 100)]
    assert grants == [21 * wage, 4 * wage]
    new = f"{format_yuan(wage * 85 // 100)} 元/月"
    make_user("clerk-demo-r", "clerk")
    sign_in(client, "clerk-demo-r")
    record = client.get(f"/persons/{ssn}/injury").text
    assert "劳动能力鉴定结论（再次鉴定）" in record and "已重新核定" in record and new in record
    portal_user(sessions, ssn, "p-reappraised")
    sign_in(client, "p-reappraised")
    mine = client.get("/my/injury").text
    assert "伤残2级" in mine and new in mine
