"""The supervisor's read-only view of agreements (R§47 (四)): institutions with their agreements,
breaches (with what was recovered) and settlements with a chart; each view logged; no form."""

from __future__ import annotations

from sqlalchemy import select

from jingban.agreements.breaches import service as breaches
from jingban.agreements.breaches.schemas import NoticeIn
from jingban.agreements.claims import demo
from jingban.core.models import AccessLog
from tests.agreements.helpers import MANAGER
from tests.web.helpers import sign_in

PERIOD = 202610


def test_supervisor_sees_agreements_breaches_and_settlements(client, make_user, sessions):
    with sessions() as db:
        seeded = demo.seed(db, period=PERIOD)
        settled = demo.settle(db, PERIOD, seeded.institutions)
        a = seeded.institutions[0]
        breaches.serve_notice(db, MANAGER, NoticeIn(institution_id=a.id, measure="urge",
                                                    facts="抽查发现分解收费"))
        number = db.get(type(a), a.id).name
    make_user("agsup", "supervisor")
    sign_in(client, "agsup")
    page = client.get("/supervision/agreements")
    assert page.status_code == 200
    text = page.text
    assert number in text and "YBXY-DEMO-0001" in text and "履行中" in text
    assert "督促履行服务协议" in text and "已告知，陈述申辩期内" in text
    assert "<svg" in text and "定点机构月度结算" in text and str(PERIOD) in text
    row = settled[0]
    assert f"{row.claimed_fen // 100:,}.{row.claimed_fen % 100:02d}" in text
    assert 'method="post" action="/agreements' not in text and 'action="/claims' not in text
    with sessions() as db:
        logged = db.scalars(select(AccessLog.view).where(AccessLog.actor == "agsup")).all()
    assert logged == ["supervision.agreements"]
    make_user("agclerk", "clerk")
    sign_in(client, "agclerk")
    assert client.get("/supervision/agreements").status_code == 403
