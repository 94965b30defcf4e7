"""Real browser: the clerk enters a person's invoices as lines on 医疗手工报销, sees the split
(the category split of tests/benefits/medical/test_worked_examples.py: fund 1,785.00 of
3,500.00), takes the claim in; the reviewer approves; the person sees the reimbursement on
我的待遇 with this year's fund payments against the cap."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.medical.helpers import BANK, insured
from tests.benefits.stop_helpers import TODAY
from tests.conftest import PASSWORD
from tests.e2e.test_browser import SHOTS, _approve, _sign_in, _sign_out, browser_page, server  # noqa: F401

LINES = ("ZY001,杭州市第一人民医院,2026-10-08,住院,J18.9,治疗费,甲,2000.00\n"
         "ZY001,杭州市第一人民医院,2026-10-08,住院,J18.9,头孢类药品,乙,1000.00\n"
         "ZY001,杭州市第一人民医院,2026-10-08,住院,J18.9,单人病房差价,丙,500.00")


@pytest.mark.e2e
def test_manual_reimbursement_from_the_counter_to_the_portal(server, browser_page,  # noqa: F811
                                                             make_user, sessions, backend, monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    clerk = make_user("clerk_medical", "clerk")
    reviewer = make_user("reviewer_1_medical", "reviewer_1")
    ssn = insured(sessions, name="报销浏览")
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(db, SYSTEM, "patient_browser", PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")

    _sign_in(page, server, clerk)
    page.click("nav >> text=医疗手工报销")
    page.fill("#ssn", ssn)
    page.fill("#medical-bank-account", BANK)
    page.fill("#medical-invoices", LINES)
    page.check("input[name='material.invoices']")
    page.check("input[name='material.diagnosis']")
    page.click("#medical-preview")
    expect(page.locator("#medical-fund")).to_have_text("1,785.00")
    expect(page.locator("#medical-ytd")).to_have_text("0.00")
    page.click("#medical-submit")
    expect(page.locator(".notice")).to_contain_text("已受理")
    page.screenshot(path=str(SHOTS / f"medical-claim-{backend}.png"), full_page=True)
    _sign_out(page)
    with sessions() as db:
        number = db.execute(select(Case.number).where(Case.item_code == "BEN-MEDICAL-MANUAL")).scalar_one()

    _approve(page, server, reviewer, number, 1, backend)

    _sign_in(page, server, "patient_browser")
    page.click("nav >> text=我的待遇")
    benefit = page.locator(".benefit-reimburse_employee").first
    expect(benefit).to_contain_text("医疗费用手工报销（职工医保）")
    expect(benefit).to_contain_text("1,785.00 元")
    expect(benefit).to_contain_text("待发放")
    expect(page.locator("#benefits-medical-year")).to_contain_text("398,215.00")
    page.screenshot(path=str(SHOTS / f"medical-portal-{backend}.png"), full_page=True)
