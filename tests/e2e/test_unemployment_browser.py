"""Real browser: an unemployed person sees the estimate on 我的失业保险金, claims online, the
reviewer approves, the accountant runs the month's payroll, and the person's page shows the
first payment with the months used and left (worked example 1 of
tests/benefits/unemployment/test_unemployment.py: 12 months of 2,241.00 from 2026-10)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.stop_helpers import TODAY
from tests.benefits.unemployment.helpers import BANK, months, unemployed
from tests.e2e.test_browser import SHOTS, _approve, _sign_in, _sign_out, browser_page, server  # noqa: F401


@pytest.mark.e2e
def test_unemployment_claim_from_the_portal_to_its_first_payment(server, browser_page,  # noqa: F811
                                                                  make_user, sessions, backend,
                                                                  monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    reviewer = make_user("reviewer_1_unemployment", "reviewer_1")
    accountant = make_user("accountant_unemployment", "accountant")
    ssn = unemployed(sessions, periods=months(202310, 202609), name="失业浏览")
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(db, SYSTEM, "unemployed_browser", "correct-horse-42", {"person"},
                    subject=f"person:{person.id}", profile="fast")

    _sign_in(page, server, "unemployed_browser")
    page.click("nav >> text=我的失业保险金")
    expect(page.locator("#unemployment-estimate #unemployment-months")).to_have_text("12")
    expect(page.locator("#unemployment-estimate #unemployment-total")).to_have_text("26892.00")
    page.click("text=网上申领失业保险金")
    page.fill("#registration_date", "2026-10-12")
    page.fill("#bank_account", BANK)
    page.click("button:has-text('提交申请')")
    expect(page.locator(".notice")).to_contain_text("已受理")
    page.screenshot(path=str(SHOTS / f"unemployment-claim-{backend}.png"), full_page=True)
    _sign_out(page)
    with sessions() as db:
        number = db.execute(select(Case.number).where(Case.item_code == "BEN-UNEMPLOYMENT")).scalar_one()

    _approve(page, server, reviewer, number, 1, backend)

    _sign_in(page, server, accountant)
    page.click("nav >> text=待遇发放")
    page.fill("#payroll-period", "202610")
    page.click("#payroll-run")
    expect(page.locator("#payroll-payments")).to_have_text("1")
    expect(page.locator("#payroll-net")).to_have_text("2,241.00 元")
    with sessions() as db:
        confirm_payroll(db, 202610)
        db.commit()
    _sign_out(page)

    _sign_in(page, server, "unemployed_browser")
    page.click("nav >> text=我的失业保险金")
    award = page.locator(".unemployment-award").first
    expect(award.locator(".award-amount")).to_have_text("2,241.00 元")
    expect(award).to_contain_text("2026年10月至2027年09月")
    expect(award.locator("[id^=months-used-]")).to_have_text("1个月")
    expect(award.locator("[id^=months-left-]")).to_have_text("11个月")
    expect(award.locator(".payments")).to_contain_text("已发放")
    page.screenshot(path=str(SHOTS / f"unemployment-portal-{backend}.png"), full_page=True)
