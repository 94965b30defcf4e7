"""Real browser, the fund books (issue 10 item 4): the accountant prepares a manual voucher on
the 记账凭证 page, three reviewers approve its case through the case pages, the last reviewer,
moved to the cashier's post afterwards, is refused the confirmation (one person, one step), the
cashier confirms it, and the trial balance shows the books balanced with the voucher in them."""

from __future__ import annotations

import pytest

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.auth import set_roles
from jingban.funds.ledger import service as ledger
from tests.e2e.test_browser import SHOTS, _approve, _sign_in, _sign_out, browser_page, server  # noqa: F401

FUND = "pension_enterprise"
DAY = "2026-10-12"  # a Monday in October 2026
ADMIN = Actor("admin_books", frozenset({"sysadmin"}), True, "counter")
MEMO = "收到上级补助收入（浙人社拨〔2026〕12号）"


@pytest.fixture(autouse=True)
def on_day():
    """The server thread shares the clock: the whole walk happens on one working day."""
    with clock.travel(DAY):
        yield


def _manual_entry(page, amount_debit: str, amount_credit: str) -> None:
    page.select_option("#fund", FUND)
    page.fill("#memo", MEMO)
    page.select_option("select[name=account_0]", "1003")
    page.fill("input[name=debit_0]", amount_debit)
    page.select_option("select[name=account_1]", "4601")
    page.fill("input[name=credit_1]", amount_credit)
    page.click("button:has-text('受理手工记账')")


@pytest.mark.e2e
def test_manual_voucher_through_review_and_cashier_to_a_balanced_trial_balance(
        server, browser_page, make_user, sessions, backend):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    accountant = make_user("accountant_books", "accountant")
    reviewers = [make_user("reviewer_1_books", "reviewer_1"),
                 make_user("reviewer_2_books", "reviewer_2"),
                 make_user("reviewer_3_books", "reviewer_3")]
    cashier = make_user("cashier_books", "cashier")
    with sessions() as db:  # the collector's file of the 9th, booked by records
        ledger.book_contribution(db, Actor("records", frozenset({"accountant"}), True, "batch"),
                                 FUND, 500_000, f"contribution:walk:{FUND}", "征收机构划入社会保险费")

    _sign_in(page, server, accountant)
    page.click("nav >> text=记账凭证")
    expect(page.locator("#entries")).to_contain_text("征收机构划入社会保险费")
    page.click("a.button:has-text('手工记账')")
    expect(page.locator("h1")).to_have_text("手工记账")
    _manual_entry(page, "12000.00", "1200.00")
    expect(page.locator(".alert")).to_contain_text("借贷不平衡")
    expect(page.locator("input[name=credit_1]")).to_have_value("1200.00")  # kept as typed
    page.fill("input[name=credit_1]", "12000.00")
    page.click("button:has-text('受理手工记账')")
    expect(page.locator(".notice")).to_contain_text("已受理，待三级审核")
    number = page.locator("#case-number").inner_text()
    expect(page.locator(".notice")).to_contain_text(number)
    page.screenshot(path=str(SHOTS / f"funds-manual-case-{backend}.png"), full_page=True)
    page.click("nav >> text=记账凭证")
    expect(page.locator("#prepared")).to_contain_text(number)
    expect(page.locator("#entries")).not_to_contain_text(MEMO)  # booked only when approved
    _sign_out(page)

    for level, reviewer in enumerate(reviewers, start=1):
        _approve(page, server, reviewer, number, level, backend)

    with sessions() as db:  # 岗位轮换: the level-3 reviewer, who signed 复核审批, moves to the cashier's post
        set_roles(db, ADMIN, reviewers[2], {"cashier"})
    _sign_in(page, server, reviewers[2])
    page.click("nav >> text=出纳确认")
    page.locator("#queue tr", has_text=MEMO).locator("a").click()
    expect(page.locator("#signatures")).to_contain_text(f"复核审批：{reviewers[2]}")
    page.click("button:has-text('出纳确认')")
    expect(page.locator("#signatures .alert")).to_have_text(
        "同一人不得在同一凭证上承担制单、出纳确认、复核中的两项（不相容岗位分离）")
    expect(page.locator("#state")).to_have_text("待出纳确认")
    page.screenshot(path=str(SHOTS / f"funds-same-person-{backend}.png"), full_page=True)
    _sign_out(page)

    _sign_in(page, server, cashier)
    page.click("nav >> text=出纳确认")
    row = page.locator("#queue tr", has_text=MEMO)
    expect(row).to_contain_text("12,000.00")
    expect(row).to_contain_text(accountant)  # the preparer (制单)
    row.locator("a").click()
    page.click("button:has-text('出纳确认')")
    expect(page.locator(".notice")).to_have_text("已出纳确认")
    expect(page.locator("#state")).to_have_text("已完成")
    signatures = page.locator("#signatures")
    for words in (f"制单：{accountant}", f"复核审批：{reviewers[2]}", f"出纳确认：{cashier}"):
        expect(signatures).to_contain_text(words)
    page.click("nav >> text=出纳确认")
    expect(page.locator("#queue")).not_to_contain_text(MEMO)
    _sign_out(page)

    _sign_in(page, server, accountant)
    page.click("nav >> text=试算平衡")
    page.select_option("#fund", FUND)
    page.fill("#period", "202610")
    page.click("button:has-text('查询')")
    expect(page.locator("#balanced")).to_contain_text("借贷平衡")
    expect(page.locator("#balanced")).to_contain_text("借方合计 17,000.00 元，贷方合计 17,000.00 元")
    rows = page.locator("#balance tbody tr")
    expect(rows.filter(has_text="财政专户存款")).to_contain_text("12,000.00")
    expect(rows.filter(has_text="上级补助收入")).to_contain_text("12,000.00")
    expect(rows.filter(has_text="收入户存款")).to_contain_text("5,000.00")
    page.screenshot(path=str(SHOTS / f"funds-trial-balance-{backend}.png"), full_page=True)
