"""One clerk's morning in a real browser: log in, register an employer and a person, enroll,
read the history. Debian's Chromium driven by Playwright against uvicorn on the test database."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import PASSWORD, citizen_id, uscc

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path("/tmp/jingban-e2e")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser_page():
    if not CHROMIUM.exists():
        if os.environ.get("JINGBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"JINGBAN_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist")
        pytest.skip(f"{CHROMIUM} not installed; browser test skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(10_000)
        yield page
        browser.close()


@pytest.mark.e2e
def test_clerk_registers_and_enrolls(server, browser_page, make_user, backend):
    from playwright.sync_api import expect

    page, code, cid = browser_page, uscc(), citizen_id()
    SHOTS.mkdir(exist_ok=True)
    make_user("clerk_browser", "clerk")

    page.goto(f"{server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.fill("#username", "clerk_browser")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    expect(page.locator("h1")).to_have_text("综合查询")

    page.click("nav >> text=单位参保登记")
    page.fill("#uscc", code)
    page.fill("#name", "杭州浏览器测试有限公司")
    page.select_option("#kind", "enterprise")
    page.fill("#registered_on", "2020-01-01")
    page.click("button:has-text('提交登记')")
    expect(page).to_have_url(f"{server}/employers/{code}")
    expect(page.locator(".notice")).to_have_text("单位参保登记已办结")

    page.click("nav >> text=个人参保登记")
    expect(page.locator("#non-citizen")).to_be_hidden()
    page.select_option("#id_type", "foreign")
    expect(page.locator("#non-citizen")).to_be_visible()
    page.select_option("#id_type", "citizen_id")
    page.fill("#id_number", cid[:-1] + ("1" if cid[-1] == "0" else "0"))
    page.fill("#name", "陈浏览")
    page.click("button:has-text('提交登记')")
    expect(page.locator("#id_number-error")).to_have_text("公民身份号码校验码不正确")
    expect(page.locator("#name")).to_have_value("陈浏览")
    page.screenshot(path=str(SHOTS / f"person-error-{backend}.png"), full_page=True)
    page.fill("#id_number", cid)
    page.click("button:has-text('提交登记')")
    expect(page.locator("#person-ssn")).to_have_text(cid)

    page.select_option("#insurance", "pension_enterprise")
    page.fill("#employer_uscc", code)
    page.fill("#contribution_base", "6000.00")
    page.click("button:has-text('办理参保')")
    expect(page.locator(".notice")).to_have_text("参保登记（增员）已办结")
    expect(page.locator("#enrollments")).to_contain_text("杭州浏览器测试有限公司")
    page.screenshot(path=str(SHOTS / f"person-{backend}.png"), full_page=True)

    page.click("text=登记与参保历史")
    history = page.locator("table.history")
    expect(history).to_contain_text("个人参保登记")
    expect(history).to_contain_text("参保（增员）")
    expect(history).to_contain_text("柜台")
    page.screenshot(path=str(SHOTS / f"history-{backend}.png"), full_page=True)

    page.click("nav >> text=综合查询")
    page.fill("#q", "陈浏览")
    expect(page.locator("#results")).to_contain_text(f"{cid[:6]}********{cid[-4:]}")
