"""Real-browser journeys: a clerk's morning (register an employer and a person, enroll, read
the history), and a name correction through three levels of review that the person follows in
the portal. Debian's Chromium driven by Playwright against uvicorn on the test database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jingban.cases import service as cases
from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from tests.conftest import PASSWORD, citizen_id, uscc

# the shared fixtures live in tests/e2e/conftest.py; other tests import them from here too
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, browser, browser_page, server  # noqa: F401

SHOTS = Path("/tmp/jingban-e2e")


@pytest.mark.e2e
def test_clerk_registers_and_enrolls(server, browser_page, make_user, backend):  # noqa: F811
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
    expect(page.locator(".notice")).to_contain_text("单位参保登记已办结（业务件号JB")

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
    expect(page.locator("#person-ssn")).to_have_text(cid[:4] + "*" * 10 + cid[-4:])  # secdata

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
    expect(page.locator("#results")).to_contain_text(cid[:4] + "*" * 10 + cid[-4:])  # sec15: one mask


def _sign_in(page, server: str, username: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    expect(page.locator(".whoami button")).to_have_text("退出")


def _sign_out(page) -> None:
    page.click("button:has-text('退出')")


def _registered_person(sessions, clerk: str) -> tuple[str, str]:
    """A person registered at the counter (REG-PERSON, done at intake) with a portal login."""
    actor = Actor(clerk, frozenset({"clerk"}), False, "counter")
    with sessions() as db:
        case = cases.submit(db, actor, "REG-PERSON",
                            {"id_type": "citizen_id", "id_number": citizen_id(), "name": "陈原名"})
        create_user(db, SYSTEM, "person_browser", PASSWORD, {"person"}, display_name="陈原名",
                    subject=case.subject, profile="fast")
        return case.applicant_key, "person_browser"


def _approve(page, server: str, reviewer: str, number: str, level: int, backend: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    _sign_in(page, server, reviewer)
    page.click("nav >> text=审核队列")
    row = page.locator("#queue tr", has_text=number)
    row.locator("button:has-text('领取')").click()
    expect(page.locator("#case-assigned")).to_have_text(reviewer)
    expect(page.locator("#case-actions")).to_contain_text(f"第{level}级审核")
    page.fill("#decide-reason", f"第{level}级审核同意")
    page.click("button:has-text('审核通过')")
    expect(page.locator(".notice")).to_have_text("审核意见已提交")
    page.screenshot(path=str(SHOTS / f"case-level{level}-{backend}.png"), full_page=True)
    _sign_out(page)


@pytest.mark.e2e
def test_name_correction_through_three_levels(server, browser_page, make_user, sessions,  # noqa: F811
                                              backend):
    from playwright.sync_api import expect

    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    clerk = make_user("clerk_case", "clerk")
    reviewers = [make_user(f"reviewer_{n}_case", f"reviewer_{n}") for n in (1, 2, 3)]
    ssn, portal = _registered_person(sessions, clerk)

    _sign_in(page, server, clerk)
    page.goto(f"{server}/persons/{ssn}")
    page.click("text=姓名/身份号码更正")
    expect(page.locator("#ssn")).to_have_value(ssn)
    expect(page.locator("#intake-form")).to_contain_text("已由共享数据证明（公安机关户籍变更信息），无需提交")
    page.fill("#name", "陈更正")
    page.fill("#reason", "公安机关出具姓名变更证明")
    page.check("#m-id_document")
    page.screenshot(path=str(SHOTS / f"case-intake-{backend}.png"), full_page=True)
    page.click("button:has-text('受理')")
    expect(page.locator(".notice")).to_contain_text("已受理，业务件号JB")
    expect(page.locator("#case-status")).to_have_text("审核中")
    number = page.locator("#case-number").inner_text()
    _sign_out(page)

    for level, reviewer in enumerate(reviewers, start=1):
        _approve(page, server, reviewer, number, level, backend)

    _sign_in(page, server, portal)
    expect(page).to_have_url(f"{server}/my")
    row = page.locator("#my-cases tr", has_text=number)
    expect(row).to_contain_text("已办结")
    row.locator("a").click()
    expect(page.locator("#case-status")).to_have_text("已办结")
    timeline = page.locator("#case-timeline")
    for step in ("受理", "第1级初审", "第2级复核", "第3级审核", "办结"):
        expect(timeline).to_contain_text(step)
    expect(page.locator("#case-notes")).to_contain_text("已办结")
    expect(page.locator("nav")).not_to_contain_text("综合查询")
    page.screenshot(path=str(SHOTS / f"case-portal-{backend}.png"), full_page=True)
    _sign_out(page)

    _sign_in(page, server, reviewers[2])
    page.click("nav >> text=时限统计")
    sla = page.locator('#sla-items tr[data-item="REG-PERSON-CORRECT"]')
    expect(sla.locator(".completed")).to_have_text("1")
    expect(sla.locator(".on-time")).to_have_text("1")
    expect(sla).to_contain_text("100.0%")
    page.screenshot(path=str(SHOTS / f"case-dashboard-{backend}.png"), full_page=True)
    page.goto(f"{server}/persons/{ssn}")
    expect(page.locator("h1")).to_contain_text("陈更正")
