"""In a real browser: a citizen reports through the public form (no login), the complaint post
lands on its list, opens the report, screens it and sees the timeline; an inspector opening the
same report sees that the reporter is kept secret."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, uscc
from tests.e2e.test_browser import SHOTS, browser, browser_page, server  # noqa: F401  (fixtures)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.e2e
def test_public_report_screened_by_the_complaint_post(server, browser_page, make_user,  # noqa: F811
                                                      backend):
    from playwright.sync_api import expect

    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server}/public/complaints")
    page.select_option("#accused_kind", "employer")
    page.fill("#accused_name", "某某建筑劳务有限公司")
    page.fill("#accused_ref", uscc())
    page.fill("#facts", "工地上百名农民工均未参加工伤保险")
    page.fill("#reporter_name", "韩实名")
    page.fill("#reporter_phone", "13711112222")
    page.check("input[name=wants_notice]")
    page.click("button:has-text('提交')")
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("举报投诉已收到")
    number = receipt.locator("strong").inner_text()
    page.screenshot(path=str(SHOTS / f"complaint-public-{backend}.png"), full_page=True)

    make_user("ts_browser", "complaint_officer")
    _sign_in(page, server, "ts_browser")
    assert page.url.endswith("/oversight/complaints")
    page.click(f"a:has-text('{number}')")
    expect(page.locator("#reporter")).to_contain_text("韩实名")
    page.select_option("#screening", "accepted")
    page.fill("#reason", "线索具体，属本机构管辖")
    page.click("button:has-text('提交审查结论')")
    expect(page.locator(".notice")).to_contain_text("审查结论已登记")
    expect(page.locator("#timeline")).to_contain_text("审查")
    expect(page.locator("#timeline")).to_contain_text("按时")
    page.screenshot(path=str(SHOTS / f"complaint-screened-{backend}.png"), full_page=True)
    page.click("button:has-text('退出')")

    make_user("insp_browser", "inspector")
    _sign_in(page, server, "insp_browser")
    page.click(".mainnav a:has-text('举报投诉')")
    page.click(f"a:has-text('{number}')")
    expect(page.locator("#reporter")).to_contain_text("举报人信息保密")
    assert "韩实名" not in page.content() and "13711112222" not in page.content()
