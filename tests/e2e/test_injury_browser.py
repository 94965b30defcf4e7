"""Real browser: the clerk's path of a work injury. The clerk opens 工伤保险待遇, takes the
recognition decision in its form, the reviewer approves; after the appraisal (grade 3,
recorded through the engine) the clerk takes the disability determination, two reviewers
approve, and the person's page shows the grant and the monthly allowance (本人工资 6,000.00:
23 × 6,000.00 = 138,000.00 and 80 % = 4,800.00 a month, test_injury_pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jingban.cases.models import Case
from jingban.core import clock
from tests.benefits.injury.helpers import BANK, injured, take
from tests.benefits.stop_helpers import TODAY
from tests.e2e.test_browser import SHOTS, _approve, _sign_in, _sign_out, browser_page, server  # noqa: F401

NUMBER = "杭人社工认〔2026〕201号"


def _number(sessions, item: str) -> str:
    with sessions() as db:
        return db.execute(select(Case.number).where(Case.item_code == item)).scalar_one()


@pytest.mark.e2e
def test_the_clerk_takes_an_injury_from_recognition_to_its_benefits(server, browser_page,  # noqa: F811
                                                                     make_user, sessions, backend,
                                                                     monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    clerk = make_user("clerk_injury", "clerk")
    first = make_user("reviewer_1_injury", "reviewer_1")
    second = make_user("reviewer_2_injury", "reviewer_2")
    ssn, unit = injured(sessions, base=600000, name="工伤浏览")

    _sign_in(page, server, clerk)
    page.click("nav >> text=工伤保险待遇")
    page.click("#intake-BEN-INJURY-RECOGNITION")
    page.fill("#ssn", ssn)
    page.fill("#decision_number", NUMBER)
    page.fill("#decided_on", "2026-04-20")
    page.fill("#injury_date", "2026-03-10")
    page.fill("#employer_uscc", unit)
    page.fill("#leave_until", "2026-08-31")
    page.click("#intake-form button:has-text('受理')")
    expect(page.locator(".notice")).to_contain_text("已受理")
    _sign_out(page)
    _approve(page, server, first, _number(sessions, "BEN-INJURY-RECOGNITION"), 1, backend)

    take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn, {"decision_number": NUMBER, "applied_on": "2026-09-01"})
    take(sessions, "BEN-INJURY-APPRAISAL", ssn, {"decision_number": NUMBER, "conclusion_number": "JD-201",
                                                 "concluded_on": "2026-09-15", "grade": 3})

    _sign_in(page, server, clerk)
    page.click("nav >> text=工伤保险待遇")
    expect(page.locator("#injury-recognitions")).to_contain_text(NUMBER)
    page.click("#intake-BEN-INJURY-DISABILITY")
    page.fill("#ssn", ssn)
    page.fill("#decision_number", NUMBER)
    page.fill("#bank_account", BANK)
    page.click("#intake-form button:has-text('受理')")
    expect(page.locator(".notice")).to_contain_text("已受理")
    _sign_out(page)
    number = _number(sessions, "BEN-INJURY-DISABILITY")
    _approve(page, server, first, number, 1, backend)
    _approve(page, server, second, number, 2, backend)

    _sign_in(page, server, clerk)
    page.goto(f"{server}/persons/{ssn}/injury")
    expect(page.locator("[id^=grade-]")).to_contain_text("3级")
    awards = page.locator(".injury-award")

    def amount(name: str):
        return awards.filter(has=page.locator("h2", has_text=name)).locator(".award-amount")

    expect(amount("一次性伤残补助金")).to_have_text("138,000.00 元")
    expect(amount("伤残津贴")).to_have_text("4,800.00 元/月")
    page.screenshot(path=str(SHOTS / f"injury-record-{backend}.png"), full_page=True)
