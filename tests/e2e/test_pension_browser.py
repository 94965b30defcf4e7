"""Real browser: a clerk takes a person from the pre-retirement list through the claim screen
(calculation shown), two levels of review and approval to the first payroll; the person's
portal then shows the award with its breakdown and the payment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from jingban.benefits.common import rules
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.pension_helpers import retiree
from tests.e2e.test_browser import SHOTS, _approve, _sign_in, _sign_out, browser_page, server  # noqa: F401

YEAR_2024 = [202400 + m for m in range(1, 13)]


@pytest.mark.e2e
def test_pension_from_prereview_to_first_payroll(server, browser_page, make_user,  # noqa: F811
                                                 sessions, backend):
    from playwright.sync_api import expect

    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    clerk = make_user("clerk_pension", "clerk")
    reviewers = [make_user(f"reviewer_{n}_pension", f"reviewer_{n}") for n in (1, 2)]
    accountant = make_user("accountant_pension", "accountant")
    ssn = retiree(sessions, birth=dt.date(1964, 12, 10), periods=YEAR_2024, base=1487200,
                  deemed=180, balance=13_900_000, name="退休浏览")
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(db, SYSTEM, "retiree_browser", "correct-horse-42", {"person"},
                    subject=f"person:{person.id}", profile="fast")

    _sign_in(page, server, clerk)
    page.click("nav >> text=退休预审")
    page.fill("#month", "2024-12")
    page.click("button:has-text('查询')")
    page.locator("#prereview tr", has_text="退休浏览").locator("text=申领受理").click()
    expect(page.locator("#pension-total")).to_have_text("2226.94")
    expect(page.locator("#pension-lines")).to_contain_text("1.0625")
    expect(page.locator("#pension-checks")).to_contain_text("无未办结")
    page.screenshot(path=str(SHOTS / f"pension-claim-{backend}.png"), full_page=True)
    page.fill("#claim-bank-account", "6217000010001234567")
    page.click("#claim-submit")
    expect(page.locator(".notice")).to_contain_text("已受理，业务件号JB")
    number = page.locator("#case-number").inner_text()
    _sign_out(page)

    for level, reviewer in enumerate(reviewers, start=1):
        _approve(page, server, reviewer, number, level, backend)

    today = clock.today()
    period = rules.next_period(rules.period_of(today.year, today.month))
    _sign_in(page, server, accountant)
    page.click("nav >> text=待遇发放")
    page.fill("#payroll-period", str(period))
    page.click("#payroll-run")
    expect(page.locator("#payroll-payments")).to_have_text("1")
    expect(page.locator("#payroll-net")).to_have_text("2,226.94 元")
    with sessions() as db:  # the cashier confirms the run's voucher before the bank file
        confirm_payroll(db, period)
        db.commit()
    page.reload()
    with page.expect_download() as download:
        page.click("#bank-file-link")
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert "6217000010001234567,退休浏览,2226.94" in content
    page.screenshot(path=str(SHOTS / f"pension-payroll-{backend}.png"), full_page=True)
    _sign_out(page)

    _sign_in(page, server, "retiree_browser")
    page.click("nav >> text=我的养老金")
    expect(page.locator(".award-amount").first).to_have_text("2,226.94 元")
    expect(page.locator(".pension-award").first).to_contain_text("本人平均缴费指数")
    expect(page.locator("#pension-payments")).to_contain_text(f"{period // 100}年{period % 100:02d}月")
    expect(page.locator("#pension-payments")).to_contain_text("2,226.94")
    page.screenshot(path=str(SHOTS / f"pension-portal-{backend}.png"), full_page=True)
