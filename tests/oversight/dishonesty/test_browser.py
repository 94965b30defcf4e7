"""In the browser: the public list without login, then the supervisor walks 监督查看 (chart,
oversight and credit) and finds no button; a write sent from the page anyway is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.test_browser import SHOTS, browser, browser_page, server  # noqa: F401  (fixtures)
from tests.oversight.dishonesty.test_lifecycle import keep_clock, listed, person_with_credits  # noqa: F401


@pytest.mark.e2e
def test_public_list_and_the_supervisor_reads_only(server, browser_page, make_user,  # noqa: F811
                                                   sessions, backend):
    with sessions() as db:
        entry = listed(db, person_with_credits(db, "fraud"))
        name, entry_id = entry.subject_name, entry.id
    page = browser_page
    page.goto(f"{server}/")
    page.click("a:has-text('严重失信主体名单公示')")
    assert name in page.locator("#public-dishonesty").inner_text()
    make_user("bsup", "supervisor")
    page.goto(f"{server}/login")
    page.fill("#username", "bsup")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda url: "/login" not in url)
    page.click(".mainnav a:has-text('监督查看')")
    expect(page.locator("figure svg")).to_have_count(1)  # waits for the page, not a race
    page.click(".subnav a:has-text('监督检查与信用')")
    assert "已列入并公示" in page.locator("#listings").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"supervision-{backend}.png"), full_page=True)
    page.click(f"#listings a:has-text('{entry_id}')")
    assert page.locator("main form button").count() == 0
    status = page.evaluate("""async (url) => {
        const csrf = document.querySelector('input[name=csrf_token]').value;
        const body = new URLSearchParams({csrf_token: csrf, reason: '试图移出'});
        return (await fetch(url, {method: 'POST', body})).status;
    }""", f"{server}/oversight/dishonesty/{entry_id}/removal")
    assert status == 403
