"""The fund report pages: the dashboard for the accountant and the supervisor, a report filed
and refiled through its page, the downloads, the disclosure published and shown without login,
unpublished years 404."""

from __future__ import annotations

from jingban.core import clock
from tests.funds.test_reports import FUND, _books, closed_year
from tests.web.helpers import post, sign_in


def test_dashboard_for_accountant_and_supervisor(client, make_user, sessions):
    with sessions() as db:
        _books(db)
    make_user("dacc", "accountant")
    make_user("dsup", "supervisor")
    with clock.travel("2026-11-20"):
        for user in ("dacc", "dsup"):
            sign_in(client, user)
            page = client.get("/funds")
            assert page.status_code == 200 and "资金看板" in page.text
            assert 'href="/funds">资金看板</a>' in page.text  # the menu link
            section = page.text.split(f'id="fund-{FUND}"')[1].split("</section>")[0]
            # income and expense each month (a hairline for 0)
            assert section.count("<svg") == 3 and section.count('class="bar"') == 2 * 12
            # balance: 12 points; months held: September to November only (nothing spent before)
            assert section.count('class="point"') == 12 + 3 and 'class="threshold"' in section
            assert "月报待报送" in page.text and "202610" in page.text  # due 2026-11-15: overdue
            assert "对账缺失提示" in page.text
            assert 'id="fund-injury"' not in page.text  # a fund without books has no charts
    make_user("dclerk", "clerk")
    sign_in(client, "dclerk")
    assert client.get("/funds").status_code == 403


def test_file_refile_and_download_through_the_pages(client, make_user, sessions):
    with sessions() as db:
        _books(db)
    make_user("pacc", "accountant")
    make_user("psup", "supervisor")
    url = f"/funds/reports/{FUND}/202610"
    with clock.travel("2026-11-10"):
        token = sign_in(client, "pacc")
        shown = client.get(url)
        assert shown.status_code == 200 and "尚未报送" in shown.text and "1,025.00" in shown.text
        done = post(client, url, token, {})
        assert done.status_code == 200 and "月报已报送（第 1 版）" in done.text
        refused = post(client, url, token, {"reason": ""})
        assert refused.status_code == 409 and "须写明理由" in refused.text
        again = post(client, url, token, {"reason": "更正利息"})
        assert "第 2 版" in again.text and "更正利息" in again.text
        assert client.get(f"{url}/report.xlsx").content.startswith(b"PK")
        version = again.text.split("report.pdf?version=")[1].split('"')[0]
        assert client.get(f"{url}/report.pdf?version={version}").content.startswith(b"%PDF")
        listing = client.get("/funds/reports?year=2026")
        assert listing.status_code == 200 and "已报送" in listing.text
        sign_in(client, "psup")
        seen = client.get(url)
        assert seen.status_code == 200 and "报送月报" not in seen.text  # read-only
        assert client.get("/funds/reports/nope/202610").status_code == 422


def test_disclosure_published_and_public(client, make_user, sessions):
    with sessions() as db:
        closed_year(db)
    assert client.get("/public/funds/2025").status_code == 404
    missing = client.get("/public/funds/2025")
    assert "尚未公开" in missing.text
    make_user("qacc", "accountant")
    with clock.travel("2026-01-06"):
        token = sign_in(client, "qacc")
        bad = post(client, "/funds/disclosures", token, {"year": "20x5"})
        assert bad.status_code == 422 and "四位数字" in bad.text
        done = post(client, "/funds/disclosures", token, {"year": "2025"})
        assert done.status_code == 200 and "2025 年度基金信息已公开" in done.text
    client.post("/logout", data={"csrf_token": token})
    public = client.get("/public/funds/2025")
    assert public.status_code == 200 and "企业职工基本养老保险" in public.text
    row = public.text.split("企业职工基本养老保险</td>")[1].split("</tr>")[0]
    assert [c.split(">")[-1] for c in row.split("</td>")[:5]] == ["3", "803.00", "200.00", "603.00", "3.00"]
    years = client.get("/public/funds")
    assert years.status_code == 200 and 'href="/public/funds/2025"' in years.text
    assert client.get("/public/funds/2024").status_code == 404
