"""rev14 review of issue 14, part 8: the done-when walk in a real browser on a `jingban demo`-
like database, for what tests/e2e/test_enrollment_browser.py does not walk: the department
files with their broken rows (shown, and a new broken file uploaded through the page), the
person portal prompting a flagged person who fixes the field and sees the prompt go, and a
survey item returned by the grassroots platform and entered again by another team member,
with the 登记表 PDF downloaded."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban import demo
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.enrollment import demo as registry_demo
from jingban.enrollment import service
from jingban.enrollment.models import RegistryEntry, RegistryFlag, SourceFile, SourceRecord
from jingban.registration.models import Person
from tests.conftest import PASSWORD, REGION
from tests.e2e.test_browser import SHOTS, _sign_in, _sign_out, browser, browser_page, server  # noqa: F401
from tests.enrollment.helpers import cid, csv_file


def _seed(engine, settings, sessions) -> dict:
    demo.generate(engine, settings, persons=150, employers=6, seed=5, as_of=dt.date(2026, 6, 30))
    with sessions() as db:
        seeded = registry_demo.seed(db, settings)
        police = db.execute(select(SourceFile).where(SourceFile.source == "police")).scalar_one()
        person_id = db.execute(select(Person.id).where(Person.ssn == seeded.prompted[1])).scalar_one()
        create_user(db, SYSTEM, "portal14", PASSWORD, {"person"}, subject=f"person:{person_id}",
                    profile="fast")
        county = db.execute(select(RegistryEntry.household_region).where(
            RegistryEntry.status == "investigate").group_by(RegistryEntry.household_region)
            .order_by(func.count().desc())).scalars().first()
        return {"police": police.id, "rejected": police.rejected, "person": person_id, "county": county}


def _files(page, base, seeded, tmp_path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/enrollment/files")
    expect(page.locator("#files tbody tr")).to_have_count(3)  # police, tax, elsewhere
    page.click(f"#files a[href='/enrollment/files/{seeded['police']}']")
    assert seeded["rejected"] >= 2  # the demo plants a row without a name and one in 990000
    expect(page.locator("#rejected tbody tr")).to_have_count(seeded["rejected"])
    expect(page.locator("#rejected")).to_contain_text("行政区划代码不存在")
    broken = tmp_path / "民政.csv"
    broken.write_bytes(csv_file([
        {"citizen_id": cid(dt.date(1981, 3, 3), 701), "name": "褚一", "household_region": REGION},
        {"citizen_id": cid(dt.date(1981, 3, 3), 703), "name": "褚二", "household_region": "999999"}]))
    page.goto(f"{base}/enrollment/files")
    page.select_option("#source", "civil")
    page.set_input_files("#file", str(broken))
    page.click("button:has-text('上传')")
    expect(page.locator(".notice").first).to_contain_text("已接收 1 行，错误 1 行")
    expect(page.locator("#rejected tbody tr")).to_have_count(1)
    expect(page.locator("#rejected")).to_contain_text("household_region")


def _portal(page, base, sessions, seeded) -> None:
    from playwright.sync_api import expect

    _sign_in(page, base, "portal14")
    page.goto(f"{base}/my")
    expect(page.locator("#registry-prompt")).to_contain_text("联系电话")
    page.click("#registry-prompt >> text=现在补充")
    expect(page.locator("#prompt")).to_contain_text("常住地址")
    page.fill("#collect-form #phone", "13977778888")
    page.fill("#collect-form #residence", "西湖区文二路5号")
    page.click("#collect-submit")
    expect(page.locator("#prompt")).to_have_count(0)
    page.goto(f"{base}/my")
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("#registry-prompt")).to_have_count(0)
    _sign_out(page)
    with sessions() as db:
        entry = service.entry_for_person(db, seeded["person"])
        assert entry.phone == "13977778888" and service.entry_sources(entry)["phone"] == "collection"
        flag = db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == entry.id,
                                                     RegistryFlag.kind == "inaccurate")).scalar_one()
        assert flag.status == "cleared" and flag.cleared_source.startswith("网上采集")


def _returned_and_entered_again(page, base, sessions, seeded) -> None:
    from playwright.sync_api import expect

    _sign_in(page, base, "gr14")
    page.click("nav >> text=入户调查")
    page.fill("#generate #division", seeded["county"])
    page.click("#generate-submit")
    list_url = page.url
    for n, name in enumerate(("sv14a", "sv14b", "sv14c"), start=1):
        page.fill(f"#member{n}", name)
    page.click("#team-submit")
    expect(page.locator("#team")).to_have_text("sv14a、sv14b、sv14c")
    item_id = page.locator("#items tbody tr").first.get_attribute("id").removeprefix("item-")
    with page.expect_download() as forms:
        page.click("#forms-pdf")
    assert forms.value.suggested_filename.endswith(".pdf")
    _sign_out(page)
    for surveyor, phone in (("sv14a", "13800000001"), ("sv14b", "13800000002")):
        _sign_in(page, base, surveyor)
        page.goto(f"{base}/enrollment/survey-items/{item_id}")
        page.fill("#collect-form #phone", phone)
        page.click("#collect-submit")
        expect(page.locator(".notice").first).to_contain_text("等待基层平台审核")
        expect(page.locator(f"#item-{item_id} button:has-text('审核通过')")).to_have_count(0)
        _sign_out(page)
        _sign_in(page, base, "gr14")
        page.goto(list_url)
        row = page.locator(f"#item-{item_id}")
        if surveyor == "sv14a":
            row.locator("input[name=note]").fill("电话无法接通")
            row.locator("button:has-text('退回')").click()
            expect(page.locator(f"#item-{item_id} .status")).to_have_text("已退回重新调查（电话无法接通）")
        else:
            row.locator("button:has-text('审核通过')").click()
            expect(page.locator(f"#item-{item_id} .status")).to_contain_text("已审核待审定")
        _sign_out(page)
    with sessions() as db:
        from jingban.enrollment.models import SurveyItem

        item = db.get(SurveyItem, int(item_id))
        assert (item.entered_by, item.reviewed_by, item.status) == ("sv14b", "gr14", "reviewed")
        assert '"13800000002"' in item.values
        assert db.execute(select(func.count()).select_from(SourceRecord).where(
            SourceRecord.source == "survey")).scalar_one() == 0  # nothing in the registry before approval


@pytest.mark.e2e
def test_files_portal_and_a_returned_survey(server, browser_page, make_user, engine, settings,  # noqa: F811
                                            sessions, backend, tmp_path):
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    seeded = _seed(engine, settings, sessions)
    for name, roles in (("admin14", ("data_admin",)), ("gr14", ("grassroots",)),
                        ("sv14a", ("surveyor",)), ("sv14b", ("surveyor",)), ("sv14c", ("surveyor",))):
        make_user(name, *roles)
    _sign_in(page, server, "admin14")
    _files(page, server, seeded, tmp_path)
    page.screenshot(path=str(SHOTS / f"review14-file-{backend}.png"), full_page=True)
    _sign_out(page)
    _portal(page, server, sessions, seeded)
    _returned_and_entered_again(page, server, sessions, seeded)
