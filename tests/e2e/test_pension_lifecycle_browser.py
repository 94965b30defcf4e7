"""Real browser, issue 5's "done when" in the demo region: the region `jingban demo` builds
(jingban.demo + jingban.benefits.pension.demo), a clerk takes the retiree-to-be from the pre-retirement
list (with its notice) through the claim screen and two reviews; the accountant runs the first
payroll; data_admin uploads the population feed with his death, which stops the payment and
orders the paid month back; the staff pages show the stop and the debt, and the person's
portal (the demo login `retiree`) shows the award, the payment, the stop and the debt's ledger.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from jingban import demo
from jingban.benefits.pension import demo as pension_demo
from jingban.benefits.pension import service
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.money import format_yuan
from tests.benefits.payroll_helpers import confirm_payroll
from tests.e2e.test_browser import SHOTS, _approve, _sign_in, _sign_out, browser_page, server  # noqa: F401

CLERK = Actor("clerk_life", frozenset({"clerk"}), False, "counter")


@pytest.fixture
def settings(settings):
    """Demo mode (seclogin): the demo login `retiree` signs in with its default password."""
    return dataclasses.replace(settings, demo_mode=True)


@pytest.fixture
def region(engine, settings, sessions):
    """The demo region, small: generated persons, then the pension demo data."""
    demo.generate(engine, settings, persons=600, employers=20)
    with sessions() as db:
        seeded = pension_demo.seed(db, settings.region, settings.password_profile)
        assert seeded is not None, "the demo region has nobody past the statutory age"
        preview = service.preview_pension(db, CLERK, seeded.ready.ssn)
        assert preview.eligible, preview.problems
        return seeded, preview


def _portal_sign_in(page, base: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/login")
    page.fill("#username", pension_demo.PORTAL_USER)
    page.fill("#password", pension_demo.PORTAL_PASSWORD)
    page.click("button:has-text('登录')")
    expect(page.locator(".whoami button")).to_have_text("退出")


@pytest.mark.e2e
def test_claim_payroll_death_recovery_and_portal(server, browser_page, make_user, region,  # noqa: F811
                                                 backend, tmp_path, sessions):
    from playwright.sync_api import expect

    page, (seeded, preview) = browser_page, region
    ready, monthly = seeded.ready, preview.total  # "2345.67"
    shown = format_yuan(int(monthly.replace(".", "")))  # "2,345.67"
    SHOTS.mkdir(exist_ok=True)
    clerk = make_user("clerk_life", "clerk")
    reviewers = [make_user(f"reviewer_{n}_life", f"reviewer_{n}") for n in (1, 2)]
    accountant = make_user("accountant_life", "accountant")
    uploader = make_user("data_admin_life", "data_admin")

    # 1. The notices for the month 12 months ahead (D§18); then the list of his own month
    #    (past: he may claim now), the claim screen, the intake.
    _sign_in(page, server, clerk)
    page.click("nav >> text=退休预审")
    page.fill("#month", seeded.notice_month)
    page.click("button:has-text('查询')")
    if seeded.upcoming is not None:
        expect(page.locator("#prereview")).to_contain_text(seeded.upcoming.name)
    page.click("button:has-text('发送预审通知')")
    expect(page.locator(".notice")).to_contain_text("已发送预审通知")
    page.fill("#month", seeded.month)
    page.click("button:has-text('查询')")
    expect(page.locator("#prereview")).to_contain_text(ready.name)
    page.locator("#prereview tr", has_text=ready.name).locator("text=申领受理").click()
    expect(page.locator("#pension-total")).to_have_text(monthly)
    expect(page.locator("#pension-checks")).to_contain_text("符合")
    page.screenshot(path=str(SHOTS / f"life-claim-{backend}.png"), full_page=True)
    page.fill("#claim-bank-account", "6217000010005550001")
    page.click("#claim-submit")
    expect(page.locator(".notice")).to_contain_text("已受理，业务件号JB")
    number = page.locator("#case-number").inner_text()
    _sign_out(page)

    # 2. Two levels of review; the second approves and determines the award.
    for level, reviewer in enumerate(reviewers, start=1):
        _approve(page, server, reviewer, number, level, f"life-{backend}")

    # 3. The first payroll: his award and the demo's other retiree.
    _sign_in(page, server, accountant)
    page.click("nav >> text=待遇发放")
    page.fill("#payroll-period", str(seeded.period))
    page.click("#payroll-run")
    expect(page.locator("#payroll-payments")).to_have_text("2")
    with sessions() as db:  # the cashier confirms the run's voucher before the bank file
        confirm_payroll(db, seeded.period)
        db.commit()
    page.reload()
    with page.expect_download() as download:
        page.click("#bank-file-link")
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"6217000010005550001,{ready.name},{monthly},{seeded.period}" in content
    _sign_out(page)

    # 4. The population feed reports his death today: stopped from next month, whose payment
    #    is ordered back.
    _sign_in(page, server, uploader)
    page.click("nav >> text=共享数据")
    page.select_option("#kind", "population")
    feed = tmp_path / "population-death.json"
    feed.write_bytes(pension_demo.death_feed(ready, clock.today()))
    page.set_input_files("#file", str(feed))
    page.click("button:has-text('上传并处理')")
    expect(page.locator("#count-processed")).to_have_text("1")
    expect(page.locator("main")).to_contain_text(f"已停发待遇1项，多发{shown}元已责令退回")
    page.screenshot(path=str(SHOTS / f"life-feed-{backend}.png"), full_page=True)
    _sign_out(page)

    # 5. The staff pages: the stop report, the person's pension, the recovery ledger.
    _sign_in(page, server, clerk)
    page.click("nav >> text=待遇停发")
    row = page.locator("#stop-reports tr", has_text=ready.name)
    expect(row).to_contain_text("死亡")
    expect(row).to_contain_text("共享数据")
    expect(row).to_contain_text(shown)
    row.locator(f"text={shown}").click()
    expect(page.locator("#ledger-balance")).to_have_text(shown)
    expect(page.locator("main")).to_contain_text("死亡后多发待遇")
    page.screenshot(path=str(SHOTS / f"life-debt-{backend}.png"), full_page=True)
    page.goto(f"{server}/benefits/stops")
    page.locator("#stop-reports tr", has_text=ready.name).locator(f"text={ready.name}").click()
    expect(page.locator("#pension-events")).to_contain_text("停发")
    _sign_out(page)

    # 6. His portal: the award (stopped), the payment, the stop and the debt with its ledger.
    _portal_sign_in(page, server)
    page.click("nav >> text=我的养老金")
    award = page.locator(".pension-award").first
    expect(award.locator(".award-amount")).to_have_text(f"{shown} 元")
    expect(award).to_contain_text("已终止")
    expect(award).to_contain_text("本人平均缴费指数")
    expect(page.locator("#pension-payments")).to_contain_text(
        f"{seeded.period // 100}年{seeded.period % 100:02d}月")
    expect(page.locator("#pension-payments")).to_contain_text(shown)
    events = page.locator("#pension-events")
    expect(events).to_contain_text("停发")
    expect(events).to_contain_text("死亡")
    expect(events).to_contain_text("共享数据")
    debts = page.locator("#pension-debts")
    expect(debts).to_contain_text("死亡后多发待遇")
    expect(debts.locator(".debt-ledger")).to_contain_text("责令退回")
    expect(debts.locator(".debt-ledger")).to_contain_text(shown)
    page.screenshot(path=str(SHOTS / f"life-portal-{backend}.png"), full_page=True)
