"""Pages: the inspector's list and entry (propose, notice, refusals shown in the form), the
public list without login, and the supervisor's read-only views, each logged (查询留痕)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jingban.core import clock
from jingban.core.models import AccessLog
from jingban.oversight.dishonesty import service
from jingban.oversight.dishonesty.models import DishonestyListing
from tests.oversight.dishonesty.test_lifecycle import INSPECTOR, listed, person_with_credits, propose
from tests.web.helpers import post, sign_in

VIEWS = ("/supervision", "/supervision/cases", "/supervision/deadlines", "/supervision/funds",
         "/supervision/agreements", "/supervision/inspections")


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def test_inspector_proposes_and_notices_through_the_pages(client, make_user, sessions):
    make_user("pinsp", "inspector")
    with sessions() as db:
        weak = person_with_credits(db, "refuse_enrollment")
        strong = person_with_credits(db, "fraud")
    token = sign_in(client, "pinsp")
    assert "拟列入严重失信主体名单" in client.get("/oversight/dishonesty").text
    refused = post(client, "/oversight/dishonesty", token,
                   {"subject_kind": "person", "subject_key": weak, "reason": "拒不参保"})
    assert refused.status_code == 422 and "未达到严重失信主体名单认定标准" in refused.text
    made = post(client, "/oversight/dishonesty", token,
                {"subject_kind": "person", "subject_key": strong, "reason": "伪造材料骗取待遇"},
                follow_redirects=False)
    assert made.status_code == 303
    url = made.headers["location"]
    no_notice = post(client, f"{url}/decision", token, {"reason": "直接列入"})
    assert no_notice.status_code == 409 and "未事先告知" in no_notice.text
    noticed = post(client, f"{url}/notice", token, {})
    assert noticed.status_code == 200 and "已告知（陈述申辩期）" in noticed.text
    early = post(client, f"{url}/decision", token, {"reason": "期限未满"})
    assert early.status_code == 409 and "期限届满前不得作出列入决定" in early.text
    assert "事先告知（陈述申辩权利）" in client.get(url).text  # the credit history


def test_public_list_needs_no_login_and_masks_persons(client, sessions):
    with sessions() as db:
        entry = listed(db, person_with_credits(db, "card_forgery"))
        ssn, name = entry.subject_key, entry.subject_name
    page = client.get("/public/dishonesty")
    assert page.status_code == 200 and name in page.text and ssn not in page.text
    assert ssn[:4] + "*" * 10 + ssn[-4:] in page.text


def test_supervisor_views_are_read_only_and_logged(client, make_user, sessions):
    make_user("psup2", "supervisor")
    make_user("pinsp2", "inspector")
    with sessions() as db:
        listed(db, person_with_credits(db, "fraud"))
    sign_in(client, "psup2")
    for url in VIEWS:
        page = client.get(url)
        assert page.status_code == 200 and "本次查看已记录（查询留痕）" in page.text, url
        assert 'method="post" action="/oversight' not in page.text
    assert "定点服务机构及服务协议" in client.get("/supervision/agreements").text  # agrfin
    shown = client.get("/supervision/inspections").text
    assert "列入社会保险领域严重失信主体名单审批" in shown and "已列入并公示" in shown
    assert "<svg" in client.get("/supervision").text  # the chart
    with sessions() as db:
        logged = db.scalars(select(AccessLog.view).where(AccessLog.actor == "psup2")).all()
        assert set(logged) == {f"supervision.{v}" for v in ("statistics", "cases", "deadlines",
                                                            "funds", "agreements", "inspections")}
        assert len(logged) >= len(VIEWS) + 2  # one line per view, every time
        listing_id = db.scalar(select(DishonestyListing.id))
    entry = client.get(f"/oversight/dishonesty/{listing_id}")
    assert entry.status_code == 200 and "<form method=\"post\" action=\"/oversight" not in entry.text
    sign_in(client, "pinsp2")
    assert client.get("/supervision").status_code == 403


def test_counter_takes_statement_and_objection(client, make_user, sessions):
    make_user("pclerk", "clerk")
    with sessions() as db:
        entry = listed(db, person_with_credits(db, "fraud"))
        other = person_with_credits(db, "card_forgery")
        noticed = service.serve_notice(db, INSPECTOR, propose(db, other).id)
        noticed_id = noticed.id
    token = sign_in(client, "pclerk")
    page = client.get(f"/oversight/dishonesty/{noticed_id}")
    assert page.status_code == 200 and "记录陈述申辩" in page.text and "信用档案" not in page.text
    stated = post(client, f"/oversight/dishonesty/{noticed_id}/statement", token,
                  {"text": "本人对事实无异议"})
    assert stated.status_code == 200 and "本人对事实无异议" in stated.text
    filed = post(client, f"/oversight/dishonesty/{entry.id}/objection", token,
                 {"reason": "系他人冒用"})
    assert filed.status_code == 200 and "已受理异议" in filed.text and "异议业务件" in filed.text
    blank = post(client, f"/oversight/dishonesty/{entry.id}/repair", token, {"reason": ""})
    assert blank.status_code == 422 and "理由" in blank.text
    assert client.get("/oversight/dishonesty").status_code == 403  # the list is oversight's
