"""The supervisor's Excel of every supervision list (claims13): each list downloads as a sheet
with the page's columns, the lists that name persons are logged as exports of personal data
(privacy.log_export), the others as views; no other role, no unknown list, no bad filter."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from jingban.agreements.claims import demo
from jingban.core.models import AccessLog
from jingban.web.supervision import SHEETS
from tests.web.helpers import sign_in

PERIOD = 202610


def _sheet(client, name: str, query: str = ""):
    reply = client.get(f"/supervision/export/{name}.xlsx{query}")
    assert reply.status_code == 200, (name, reply.text[:300])
    assert reply.headers["content-type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(reply.content)).active.iter_rows(values_only=True))


def test_every_supervision_list_downloads_and_is_logged(client, make_user, sessions):
    with sessions() as db:
        seeded = demo.seed(db, period=PERIOD)
        [first] = demo.settle(db, PERIOD, seeded.institutions[:1])
        name = seeded.institutions[0].name
    make_user("xsup", "supervisor")
    sign_in(client, "xsup")
    page = client.get("/supervision/agreements").text
    for listed in ("institutions", "breaches", "settlements"):
        assert f'href="/supervision/export/{listed}.xlsx"' in page
    rows = _sheet(client, "settlements")
    assert rows[0][:3] == ("结算月份", "第几次", "机构")
    mine = next(r for r in rows[1:] if r[2] == name)
    # 申报 and 基金支付 in yuan as numbers, to the fen
    assert (mine[0], mine[1], float(mine[5]), float(mine[9])) == (
        PERIOD, 1, first.claimed_fen / 100, first.fund_fen / 100)
    institutions = _sheet(client, "institutions")
    assert any(r[0] == name and "YBXY-DEMO-0001" in r[4] for r in institutions[1:])
    cases = _sheet(client, "cases", "?status=completed")
    assert cases[0][0] == "业务件号" and all(r[3] == "已办结" for r in cases[1:]) and len(cases) > 1
    for listed in SHEETS:
        assert _sheet(client, listed)[0], listed
    with sessions() as db:
        logged = db.execute(select(AccessLog.subject, AccessLog.view).where(
            AccessLog.actor == "xsup")).all()
    assert ("export:supervision.cases.xlsx", "export") in logged  # personal data: log_export
    assert ("export:supervision.credits.xlsx", "export") in logged
    assert ("export:supervision.settlements.xlsx", "supervision.export") in logged
    bad = client.get("/supervision/export/cases.xlsx?status=bogus")
    assert bad.status_code == 422 and "业务件状态不正确" in bad.text
    bad = client.get("/supervision/export/deadlines.xlsx?within=99")
    assert bad.status_code == 422 and "到期天数应为1至60个工作日" in bad.text
    assert client.get("/supervision/export/nothing.xlsx").status_code == 404
    make_user("xclerk", "clerk")
    sign_in(client, "xclerk")
    assert client.get("/supervision/export/settlements.xlsx").status_code == 403
