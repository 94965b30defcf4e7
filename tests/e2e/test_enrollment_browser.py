"""Real browser, the done-when walk of issue 14: the demo-like registry (several sources, planted
duplicates and gaps), the statistics page with its charts and a drill-down, a clerk serving a
flagged person fixes the missing fields and the prompt goes, and a survey list goes from
generation through a phone-sized entry and the grassroots review to the county's approval."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban import demo
from jingban.enrollment import demo as registry_demo
from jingban.enrollment import service
from jingban.enrollment.models import RegistryEntry, RegistryFlag
from tests.e2e.test_browser import SHOTS, _sign_in, _sign_out, browser_page, server  # noqa: F401

PHONE = {"width": 375, "height": 740}


def _seed(engine, settings, sessions):
    demo.generate(engine, settings, persons=150, employers=6, seed=5, as_of=dt.date(2026, 6, 30))
    with sessions() as db:
        seeded = registry_demo.seed(db, settings)
        county = db.execute(select(RegistryEntry.household_region).where(
            RegistryEntry.status == "investigate").group_by(RegistryEntry.household_region)
            .order_by(func.count().desc())).scalars().first()
        return seeded.prompted[0], county


@pytest.mark.e2e
def test_registry_statistics_collection_and_a_survey(server, browser_page, make_user, engine,  # noqa: F811
                                                     settings, sessions, backend):
    from playwright.sync_api import expect

    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    ssn, county = _seed(engine, settings, sessions)
    for name, roles in (("admin_reg", ("data_admin",)), ("clerk_reg", ("clerk",)),
                        ("gr_reg", ("grassroots",)), ("sv1_reg", ("surveyor",)),
                        ("sv2_reg", ("surveyor",)), ("sv3_reg", ("surveyor",))):
        make_user(name, *roles)

    # the statistics page: headline figures, a chart per dimension, drill-down to the people
    _sign_in(page, server, "admin_reg")
    page.click("nav >> text=全民参保登记")
    expect(page.locator("#registration-rate")).to_contain_text("%")
    expect(page.locator("#by-insurance svg")).to_be_visible()
    expect(page.locator("#by-age_band svg")).to_be_visible()
    none = page.locator("#by-where tr", has_text="未参保").locator("a")
    count = int(none.inner_text())
    page.screenshot(path=str(SHOTS / f"enrollment-statistics-{backend}.png"), full_page=True)
    none.click()
    expect(page.locator("#entries tbody tr")).to_have_count(count)
    expect(page.locator("#export")).to_be_visible()
    page.goto(f"{server}/enrollment/entries?flag=duplicate")
    expect(page.locator("#entries tbody tr").first).to_be_visible()
    _sign_out(page)

    # the clerk serving a flagged person: the prompt, the fix, the flag cleared
    _sign_in(page, server, "clerk_reg")
    page.goto(f"{server}/persons/{ssn}")
    expect(page.locator("#registry-prompt")).to_contain_text("联系电话")
    page.click("#registry-prompt >> text=现在补充")
    page.fill("#collect-form #phone", "13966667777")
    page.fill("#collect-form #residence", "西湖区文三路99号")
    page.click("#collect-submit")
    expect(page.locator(".notice").first).to_contain_text("登记信息已采集")
    page.goto(f"{server}/persons/{ssn}")
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("#registry-prompt")).to_have_count(0)
    _sign_out(page)
    with sessions() as db:
        cleared = db.execute(select(RegistryFlag).where(
            RegistryFlag.kind == "inaccurate", RegistryFlag.cleared_by == "clerk_reg")).scalars().all()
        assert len(cleared) == 1 and cleared[0].status == "cleared"

    # the survey: generation by the grassroots platform, a team of two
    _sign_in(page, server, "gr_reg")
    page.click("nav >> text=入户调查")
    page.fill("#generate #division", "999999")
    page.click("#generate-submit")
    expect(page.locator("#survey-error")).to_contain_text("survey.division_unknown")
    page.fill("#generate #division", county)
    page.click("#generate-submit")
    expect(page.locator(".notice").first).to_contain_text("已生成入户调查名单")
    list_url = page.url
    page.fill("#member1", "sv1_reg")
    page.fill("#member2", "sv2_reg")
    page.click("#team-submit")
    expect(page.locator("#team")).to_have_text("sv1_reg、sv2_reg")
    first = page.locator("#items tbody tr").first
    item_id = first.get_attribute("id").removeprefix("item-")
    _sign_out(page)

    # a surveyor outside the team cannot even open the person (finding 8); the team's
    # surveyor enters on a phone
    page.set_viewport_size(PHONE)
    _sign_in(page, server, "sv3_reg")
    refused = page.goto(f"{server}/enrollment/survey-items/{item_id}")
    assert refused.status == 403
    expect(page.locator("body")).to_contain_text("您不是该调查名单的调查员")
    expect(page.locator("body")).to_contain_text("survey.list_forbidden")
    expect(page.locator("#collect-form")).to_have_count(0)
    _sign_out(page)
    _sign_in(page, server, "sv1_reg")
    page.goto(f"{server}/enrollment/survey-items/{item_id}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.fill("#collect-form #phone", "13800001234")
    page.fill("#collect-form #residence", "社区一组8号")
    page.select_option("#collect-form #not_enrolled_reason", "unaware")
    page.screenshot(path=str(SHOTS / f"enrollment-survey-phone-{backend}.png"), full_page=True)
    page.click("#collect-submit")
    expect(page.locator(".notice").first).to_contain_text("等待基层平台审核")
    _sign_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # the grassroots review, then the county's approval
    _sign_in(page, server, "gr_reg")
    page.goto(list_url)
    page.locator(f"#item-{item_id} button:has-text('审核通过')").click()
    expect(page.locator(f"#item-{item_id} .status")).to_have_text("已审核待审定")
    _sign_out(page)
    _sign_in(page, server, "admin_reg")
    page.goto(list_url)
    page.locator(f"#item-{item_id} button:has-text('审定入库')").click()
    expect(page.locator(f"#item-{item_id} .status")).to_have_text("已审定入库")
    page.screenshot(path=str(SHOTS / f"enrollment-survey-approved-{backend}.png"), full_page=True)
    with page.expect_download() as summary:
        page.click("#summary-xlsx")
    assert summary.value.suggested_filename.endswith(".xlsx")
    with sessions() as db:
        from jingban.enrollment.models import SurveyItem

        item = db.get(SurveyItem, int(item_id))
        entry = db.get(RegistryEntry, item.entry_id)
        assert entry.phone == "13800001234" and service.entry_sources(entry)["phone"] == "survey"
