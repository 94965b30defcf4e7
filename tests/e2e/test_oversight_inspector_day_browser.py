"""In the browser, the inspector's day (issue 12 items 1, 2): the list pages open from the
menu, the inspection ledger and the penalty ledger download as Excel, a handed-over
inspection's handover sheet (R§44) and a decided penalty's decision (R§55) open as PDF."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from jingban.oversight.inspections import demo
from tests.conftest import PASSWORD
from tests.e2e.test_browser import SHOTS, browser_page, server  # noqa: F401  (fixtures)
from tests.oversight.inspections.helpers import employer


def _sheet(download) -> list[str]:
    with open(download.path(), "rb") as raw:
        book = load_workbook(io.BytesIO(raw.read()))
    return [str(c) for r in book.active.iter_rows(values_only=True) for c in r]


@pytest.mark.e2e
def test_the_inspectors_day(server, browser_page, make_user, sessions, backend):  # noqa: F811
    with sessions() as db:
        employer(db, "浏览器核查单位")
        seeded = demo.seed(db)
    make_user("bday", "inspector")
    page = browser_page
    page.goto(f"{server}/login")
    page.fill("#username", "bday")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda url: "/login" not in url)

    page.click(".mainnav a:has-text('核查')")
    page.wait_for_url(re.compile(r"/oversight/inspections$"))
    row = page.locator("#inspections tr", has_text="浏览器核查单位")
    assert "已移交" in row.inner_text()
    with page.expect_download() as got:
        page.click("#export-xlsx")
    assert got.value.suggested_filename.endswith(".xlsx")
    assert seeded.handover_number in _sheet(got.value)

    row.locator("a").first.click()
    page.wait_for_url(re.compile(r"/oversight/inspections/\d+$"))
    href = page.locator("#handover-pdf").get_attribute("href")
    sheet = page.request.get(f"{server}{href}")  # with the page's session
    assert sheet.ok and sheet.headers["content-type"].startswith("application/pdf")
    assert sheet.body().startswith(b"%PDF")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"inspector-day-inspection-{backend}.png"), full_page=True)

    page.click(".mainnav a:has-text('核查')")
    page.click("#penalties-link")
    page.wait_for_url(re.compile(r"/oversight/penalties$"))
    assert "浏览器核查单位" in page.locator("#penalties").inner_text()
    with page.expect_download() as got:
        page.click("#export-xlsx")
    cells = _sheet(got.value)
    assert "处罚编号" in cells and "17,200.00" in cells  # the demo's fine: 2x 8 600 yuan
    page.click(f"#penalties a[href='/oversight/penalties/{seeded.penalty_id}']")
    page.wait_for_url(re.compile(rf"/oversight/penalties/{seeded.penalty_id}$"))
    assert "已作出处罚决定" in page.locator("#status").inner_text()
    decision = page.request.get(f"{server}{page.locator('#decision-pdf').get_attribute('href')}")
    assert decision.ok and decision.body().startswith(b"%PDF")
    page.screenshot(path=str(SHOTS / f"inspector-day-penalty-{backend}.png"), full_page=True)

    for url in ("/oversight/monitors", "/oversight/complaints", "/oversight/dishonesty",
                "/oversight/challenges"):
        reply = page.goto(f"{server}{url}")
        assert reply.status == 200, url
        assert page.locator("main h1").count() >= 1, url
