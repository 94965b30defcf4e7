"""Real browser, the fund reports (issue 10 items 2, 6, 7): the accountant reads the 资金看板
charts, files October's monthly report and downloads its PDF, drafts next year's budget that
a reviewer approves, publishes last year's disclosure that anyone reads without logging in,
and at the month end sweeps the income accounts from the trial balance (a second sweep finds
nothing left)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from jingban.core import clock
from jingban.funds.ledger import service as ledger
from tests.e2e.test_browser import SHOTS, _sign_in, _sign_out, browser_page, server  # noqa: F401
from tests.funds.test_reports import ACC, FUND, _books, closed_year

DAY = "2026-11-10"  # October's report is due on the 15th
MONTH_END = "2026-11-30"
CHART = f"#fund-{FUND}"


@pytest.fixture(autouse=True)
def on_day():
    """The server thread shares the clock: the walk starts on DAY."""
    with clock.travel(DAY):
        yield


@pytest.fixture
def books(sessions):
    """2025 closed and booked (the year to disclose); September and October 2026 booked and
    October swept (tests.funds.test_reports); November's contributions of 2,000.00 arrived."""
    with sessions() as db:
        closed_year(db)
        _books(db)
        with clock.travel("2026-11-09"):
            ledger.book_contribution(db, ACC, FUND, 200_000, f"contribution:nov:{FUND}", "征收划入")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _dashboard(page, backend: str) -> None:
    from playwright.sync_api import expect

    page.click("nav >> text=资金看板")
    expect(page.locator("h1")).to_have_text("资金看板")
    charts = page.locator(f"{CHART} svg")
    expect(charts).to_have_count(3)
    for title in ("企业职工基本养老保险：按月收入与支出", "企业职工基本养老保险：银行存款月末余额",
                  "企业职工基本养老保险：累计结余可支付月数"):
        expect(page.locator(f"{CHART} svg > title", has_text=title)).to_have_count(1)
    # October: income 1,025.00 (contributions, interest, the deduction recovered), spent 300.00
    bars = page.locator(f"{CHART} svg rect title")
    expect(bars.filter(has_text="10月 收入")).to_contain_text("1,025")
    expect(bars.filter(has_text="10月 支出")).to_contain_text("300")
    # 2025 left 603.00; September and October added 400.00 and 725.00, November 2,000.00
    expect(page.locator(CHART)).to_contain_text("本月末银行存款 3,728.00 元；可支付月数 18.6 个月")
    # nothing filed yet: 8 funds × (12 months of 2025 + January-October 2026), October due on the 15th
    expect(page.locator("#pending-count")).to_contain_text("共 176 份月报待报送，其中逾期未报 168 份")
    expect(page.locator("#pending tbody tr")).to_have_count(10)
    page.screenshot(path=str(SHOTS / f"funds-dashboard-{backend}.png"), full_page=True)


def _file_report(page, backend: str) -> None:
    from playwright.sync_api import expect

    page.click("text=基金月报")
    expect(page.locator("h1")).to_have_text("基金月报 2026 年")
    page.locator("tr", has_text="202610").filter(has_text="企业职工基本养老保险").locator("a").click()
    expect(page.locator("h1")).to_have_text("基金月报：企业职工基本养老保险 2026 年 10 月")
    expect(page.locator("#versions")).to_contain_text("尚未报送")
    expect(page.locator("table.grid").first).to_contain_text("1,025.00")
    page.click("button:has-text('报送月报')")
    expect(page.locator(".notice")).to_have_text("月报已报送（第 1 版）")
    expect(page.locator("#versions")).to_contain_text("按期")
    with page.expect_download() as download:
        page.click("text=下载 PDF")
    path = Path(download.value.path())
    assert path.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")
    if shutil.which("pdftotext"):
        text = _pdf_text(path)
        for phrase in ("社会保险基金月报", "企业职工基本养老保险", "1,025.00", "累计结余"):
            assert phrase in text, phrase
    page.screenshot(path=str(SHOTS / f"funds-report-{backend}.png"), full_page=True)


def _draft_budget(page) -> str:
    from playwright.sync_api import expect

    page.click("nav >> text=基金预算")
    page.select_option("#fund", FUND)
    expect(page.locator("#year")).to_have_value("2027")
    page.click("button:has-text('编制预算草案')")
    expect(page.locator(".notice")).to_contain_text("预算草案已按本年实际测算生成")
    page.fill("input[name=amount_fiscal_subsidy]", "10000.00")
    page.fill("input[name=note_fiscal_subsidy]", "财政预算安排")
    page.click("button:has-text('保存预算项目')")
    expect(page.locator(".notice")).to_have_text("预算项目已保存")
    expect(page.locator("input[name=note_fiscal_subsidy]")).to_have_value("财政预算安排")
    # contributions 1,800.00, interest 6.00, recoveries 24.00 (Jan-Oct × 12 ÷ 10), subsidy 10,000.00
    expect(page.locator("#income")).to_have_text("11,830.00")
    page.click("button:has-text('提交审核')")
    expect(page.locator(".notice")).to_have_text("预算已提交审核")
    expect(page.locator("#review")).not_to_contain_text("审核通过")  # not for its preparer
    return page.locator("h1").inner_text()


def _approve_budget(page, title: str, reviewer: str, backend: str) -> None:
    from playwright.sync_api import expect

    page.click("nav >> text=基金预算")
    page.locator("tr", has_text="企业职工基本养老保险").filter(has_text="2027").locator("a").click()
    expect(page.locator("h1")).to_have_text(title)
    page.click("#review button:has-text('审核通过')")
    expect(page.locator(".notice")).to_have_text("预算已审核通过，已锁定")
    expect(page.locator("#status")).to_have_text("已批准")
    expect(page.locator("#review")).to_contain_text(f"审核 {reviewer}")
    expect(page.locator("input[name=amount_fiscal_subsidy]")).to_have_count(0)  # locked
    page.screenshot(path=str(SHOTS / f"funds-budget-{backend}.png"), full_page=True)


def _publish_and_read(page, base_url: str, backend: str) -> None:
    from playwright.sync_api import expect

    page.click("nav >> text=资金看板")
    page.click("text=基金月报")
    page.fill("#disclosure input[name=year]", "2025")
    page.click("button:has-text('发布公开')")
    expect(page.locator(".notice")).to_have_text("2025 年度基金信息已公开")
    _sign_out(page)
    page.goto(f"{base_url}/login")
    page.click("nav >> text=基金信息公开")
    page.click("text=2025 年度")
    expect(page.locator("h1")).to_have_text("社会保险基金信息公开（2025 年度）")
    row = page.locator("tr", has_text="企业职工基本养老保险")
    # participants at the year end, income, expenditure, balance, interest
    expect(row.locator("td")).to_have_text(["企业职工基本养老保险", "3", "803.00", "200.00", "603.00",
                                            "3.00"])
    expect(page.locator(".whoami")).to_have_count(0)  # nobody is signed in
    page.screenshot(path=str(SHOTS / f"funds-public-{backend}.png"), full_page=True)


def _sweep(page, backend: str) -> None:
    from playwright.sync_api import expect

    page.click("nav >> text=试算平衡")
    page.select_option("#fund", FUND)
    page.fill("#period", "202611")
    page.click("button:has-text('查询')")
    income = page.locator("#balance tbody tr", has_text="收入户存款")
    expect(income.locator("td").last).to_have_text("2,000.00")
    page.click("#sweep-link")
    expect(page.locator("h1")).to_have_text("月末归集 202611")
    expect(page.locator(f'#sweep-funds tr[data-fund="{FUND}"] .to-sweep')).to_have_text("2,000.00")
    expect(page.locator("#sweep-question")).to_contain_text("合计 2,000.00 元归集财政专户")
    page.click("#sweep-confirm")
    expect(page.locator(".notice")).to_contain_text("202611 归集完成：本次归集 1 个基金，合计 2,000.00 元")
    expect(page.locator(f'#sweep-funds tr[data-fund="{FUND}"]')).to_contain_text(
        "已归集 2,000.00 元（待出纳确认）")
    expect(page.locator("#sweep-done")).to_contain_text("各险种基金收入户余额均为零")
    page.screenshot(path=str(SHOTS / f"funds-sweep-{backend}.png"), full_page=True)
    page.go_back()  # the confirmation again, as if clicked twice: nothing is left to sweep
    page.reload()
    expect(page.locator("#sweep-confirm")).to_have_count(0)
    page.click("text=试算平衡")
    page.select_option("#fund", FUND)
    page.fill("#period", "202611")
    page.click("button:has-text('查询')")
    expect(income.locator("td").last).to_have_text("0.00")
    expect(page.locator("#balanced")).to_contain_text("借贷平衡")


@pytest.mark.e2e
def test_dashboard_report_budget_disclosure_and_sweep(server, browser_page, make_user, books,  # noqa: F811
                                                      backend):
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    accountant = make_user("accountant_reports", "accountant")
    reviewer = make_user("reviewer_1_reports", "reviewer_1")

    _sign_in(page, server, accountant)
    _dashboard(page, backend)
    _file_report(page, backend)
    title = _draft_budget(page)
    _sign_out(page)
    _sign_in(page, server, reviewer)
    _approve_budget(page, title, reviewer, backend)
    _sign_out(page)
    _sign_in(page, server, accountant)
    _publish_and_read(page, server, backend)

    with clock.travel(MONTH_END):
        _sign_in(page, server, accountant)
        _sweep(page, backend)
