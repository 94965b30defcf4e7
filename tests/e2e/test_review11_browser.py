"""Real browser, review of issue 11 (done when: the clerk takes a claim of each kind from intake
to payment, the person sees it on the portal). The unemployment walk is
test_unemployment_browser; here the maternity claim is taken at the counter in the browser
(pregnancy record, estimate, intake), the reviewer approves in the browser; an injury grant and
a medical manual reimbursement are decided through the engine (their intake walks are
test_injury_browser and test_medical_browser). The accountant runs 2026-12 in the browser, which
pays the three one-off payments once, and each person sees the payment on 我的待遇:
- maternity: twins, difficult birth: 188 days × 700001 / 30 = 4386673 fen (43,866.73);
- injury grade 8, 本人工资 8,000.00 (5 months paid): 11 × 800000 = 8800000 (88,000.00);
- medical 甲 3,000.00: (300000 − 80000) × 85 % = 187000 (1,870.00).
Net of the run 4386673 + 8800000 + 187000 = 13373673 fen (133,736.73)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.injury.helpers import BANK as INJURY_BANK
from tests.benefits.injury.helpers import injured, recognised, take
from tests.benefits.medical.helpers import BANK, insured, invoice, line, manual
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.stop_helpers import TODAY, through_review
from tests.conftest import PASSWORD
from tests.e2e.test_browser import SHOTS, _approve, _sign_in, _sign_out, browser, browser_page, server  # noqa: F401


def _login_for(sessions, ssn: str, username: str) -> None:
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(db, SYSTEM, username, PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")


def _engine_decided(sessions) -> tuple[str, str]:
    """The injury grant and the medical reimbursement, decided through the case engine."""
    worker, unit = injured(sessions, base=800000, months=5, name="工伤复审")
    recognised(sessions, worker, unit, "杭人社工认〔2026〕R801号", grade=8)
    take(sessions, "BEN-INJURY-DISABILITY", worker, {"decision_number": "杭人社工认〔2026〕R801号",
                                                     "bank_account": INJURY_BANK})
    patient = insured(sessions, name="报销复审")
    case = through_review(sessions, "BEN-MEDICAL-MANUAL",
                          manual(patient, invoice("ZY-R801", "2026-10-15", [line(300000)])),
                          ["invoices", "diagnosis"])
    assert case["status"] == "completed", case
    return worker, patient


def _sees(page, base: str, username: str, kind: str, amount: str) -> None:
    from playwright.sync_api import expect

    _sign_in(page, base, username)
    page.click("nav >> text=我的待遇")
    benefit = page.locator(f".benefit-{kind}").first
    expect(benefit).to_contain_text(f"{amount} 元")
    expect(benefit.get_by_role("table", name="发放记录")).to_contain_text("已发放")
    _sign_out(page)


@pytest.mark.e2e
def test_maternity_at_the_counter_and_every_kind_paid_and_seen_on_the_portal(
        server, browser_page, make_user, sessions, backend, monkeypatch):  # noqa: F811
    from playwright.sync_api import expect

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    clerk = make_user("clerk_review11", "clerk")
    reviewer = make_user("reviewer_1_review11", "reviewer_1")
    accountant = make_user("accountant_review11", "accountant")
    mother = insured(sessions, maternity_from=dt.date(2020, 1, 1), name="生育复审")
    worker, patient = _engine_decided(sessions)
    for ssn, username in ((mother, "mother_r11"), (worker, "worker_r11"), (patient, "patient_r11")):
        _login_for(sessions, ssn, username)

    _sign_in(page, server, clerk)
    page.click("nav >> text=生育津贴")
    page.fill("#lookup-ssn", mother)
    page.click("button:has-text('核查测算')")
    page.fill("#pregnancy-expected", "2026-11-10")
    page.fill("#pregnancy-hospital", "杭州市妇产科医院")
    page.click("button:has-text('办理生育登记')")
    page.fill("#lookup-ssn", mother)
    page.fill("#lookup-birth", "2026-11-02")
    page.fill("#lookup-babies", "2")
    page.locator("form[method=get][action='/benefits/maternity'] input[name=difficult_birth]").check()
    page.click("button:has-text('核查测算')")
    expect(page.locator("#maternity-days")).to_have_text("188")
    expect(page.locator("#maternity-amount")).to_have_text("43866.73")
    intake = page.locator("#maternity-intake")
    intake.locator("#birth_date").fill("2026-11-02")
    intake.locator("#babies").fill("2")
    intake.locator("input[name=difficult_birth]").check()
    intake.locator("#maternity-bank-account").fill(BANK)
    intake.locator("input[name='material.medical_record']").check()
    page.click("#maternity-submit")
    expect(page.locator(".notice")).to_contain_text("已受理")
    page.screenshot(path=str(SHOTS / f"review11-maternity-{backend}.png"), full_page=True)
    _sign_out(page)
    with sessions() as db:
        number = db.execute(select(Case.number).where(Case.item_code == "BEN-MATERNITY")).scalar_one()
    _approve(page, server, reviewer, number, 1, backend)

    _sign_in(page, server, accountant)
    page.click("nav >> text=待遇发放")
    page.fill("#payroll-period", "202612")
    page.click("#payroll-run")
    expect(page.locator("#payroll-net")).to_have_text("133,736.73 元")
    with sessions() as db:
        confirm_payroll(db, 202612)
        db.commit()
    _sign_out(page)

    _sees(page, server, "mother_r11", "maternity", "43,866.73")
    _sees(page, server, "worker_r11", "injury_grant", "88,000.00")
    _sees(page, server, "patient_r11", "reimburse_employee", "1,870.00")
