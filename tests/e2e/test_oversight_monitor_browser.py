"""In the browser: the inspector runs the day's anomaly monitors over planted payments after a
death, turns one hit into an inspection from 异常监测, and finds the inspection opened under 核查
with the hit as its origin (R§42; issue 12 item 3)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.test_browser import SHOTS, browser_page, server  # noqa: F401  (fixtures)
from tests.oversight.monitors.planting import Region, plant_deaths


@pytest.mark.e2e
def test_inspector_turns_a_monitor_hit_into_an_inspection(server, browser_page,  # noqa: F811
                                                          make_user, sessions, backend):
    with sessions() as db:
        region = Region(db)
        plant_deaths(region)
        db.commit()
    make_user("binsp", "inspector")
    page = browser_page
    page.goto(f"{server}/login")
    page.fill("#username", "binsp")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda url: "/login" not in url)
    page.click(".mainnav a:has-text('异常监测')")
    page.click("#run-monitors")
    assert "监测完成：新发现疑点 3 条" in page.locator("main").inner_text()
    row = page.locator("#hits tr", has_text="甲死亡后发放")
    assert "死亡" in row.inner_text()
    row.locator("form.inspect input[name=reason]").fill("死亡后仍发放4个月，需核实冒领")
    row.locator("form.inspect button").click()
    page.wait_for_url(re.compile(r"/oversight/monitors"))
    assert "已转入核查" in page.locator("main").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"monitor-hit-inspect-{backend}.png"), full_page=True)

    page.click(".mainnav a:has-text('核查')")
    opened = page.locator("#inspections tr", has_text="甲死亡后发放")
    assert opened.count() == 1 and "核查中" in opened.inner_text()
    opened.locator("a").first.click()
    page.wait_for_url(re.compile(r"/oversight/inspections/\d+$"))
    detail = page.locator("main").inner_text()
    assert "核查 " in detail and "甲死亡后发放" in detail
    assert "死亡后仍发放4个月，需核实冒领" in detail and "hit:" in detail
    assert page.locator("#conclusion-form, form[action$='/conclusion']").count() == 1
    page.screenshot(path=str(SHOTS / f"monitor-inspection-{backend}.png"), full_page=True)
