"""In a phone-sized browser: the person logs in, opens 我的权益记录, downloads his
个人权益记录单 and its code verifies on the public page (no login)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.e2e import test_browser as base
from tests.records.helpers import make_world
from tests.records.test_proofs import pdf_text

server = base.server
browser_page = base.browser_page


@pytest.mark.e2e
def test_person_downloads_statement_and_code_verifies(server, browser_page, sessions, backend):
    from playwright.sync_api import expect

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    base.SHOTS.mkdir(exist_ok=True)
    world = make_world(sessions)
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == world.employee)).scalar_one()
        create_user(db, SYSTEM, "proof_browser", base.PASSWORD, {"person"}, display_name="职工甲",
                    subject=f"person:{person.id}", profile="fast")

    base._sign_in(page, server, "proof_browser")
    page.goto(f"{server}/my")
    page.click("#my-rights-link")
    expect(page.locator("h1")).to_have_text("个人权益记录")
    page.goto(f"{server}/my")
    page.click("#my-proofs-link")
    with page.expect_download() as info:
        page.click("#proof-rights")
    pdf = Path(info.value.path()).read_bytes()
    code = re.search(r"/verify/([A-Z2-7]{16})", pdf_text(pdf)).group(1)
    page.goto(f"{server}/my/proofs")
    expect(page.locator("#my-proofs")).to_contain_text(code[:4])
    page.screenshot(path=str(base.SHOTS / f"proofs-portal-{backend}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways page

    public = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    public.goto(f"{server}/verify")
    public.fill("#verify-code", "-".join(code[i:i + 4] for i in range(0, 16, 4)).lower())
    public.click("button:has-text('核验')")
    expect(public.locator("#verify-result")).to_contain_text("该证明由本机构出具")
    expect(public.locator("#proof-name")).to_have_text("职*甲")
    public.screenshot(path=str(base.SHOTS / f"proofs-verify-{backend}.png"), full_page=True)
    public.close()
