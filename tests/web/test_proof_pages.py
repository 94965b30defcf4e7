"""Proof pages: the public check without login, the person's 证明打印 in the portal, and the
counter's 出具证明."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jingban.core import privacy
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.records import proofs
from jingban.records.models import Proof
from jingban.registration.models import Person
from tests.conftest import PASSWORD
from tests.records.helpers import make_world
from tests.records.test_proofs import pdf_text
from tests.web.helpers import person_url, post, sign_in, ssn_at


@pytest.fixture
def world(sessions):
    return make_world(sessions)


@pytest.fixture
def portal_user(sessions):
    """A person's portal login (role person, subject person:<id>)."""

    def make(username: str, ssn: str) -> str:
        with sessions() as db:
            person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
            create_user(db, SYSTEM, username, PASSWORD, {"person"}, subject=f"person:{person.id}",
                        profile="fast")
        return username

    return make


def codes(html: str) -> list[str]:
    return re.findall(r"/my/proofs/file/([A-Z2-7]{16})\.pdf", html)


def test_person_downloads_and_anyone_verifies(app, client, world, portal_user):
    token = sign_in(client, portal_user("proof_person", world.employee))
    home = client.get("/my").text
    assert 'href="/my/rights"' in home and "我的权益记录" in home and 'href="/my/proofs"' in home
    page = client.get("/my/proofs")
    assert page.status_code == 200 and "下载个人权益记录单（PDF）" in page.text
    assert "尚未出具过证明" in page.text and 'name="viewport"' in page.text
    assert post(client, "/my/proofs/rights", "wrong", {}).status_code == 403  # CSRF
    pdf = post(client, "/my/proofs/rights", token, {})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    [code] = codes(client.get("/my/proofs").text)
    text = pdf_text(pdf.content)
    assert "职工甲" in text and code in text and "个人权益记录单" in text
    again = client.get(f"/my/proofs/file/{code}.pdf")
    assert again.status_code == 200 and again.content == pdf.content
    assert client.get("/my/proofs/rights", follow_redirects=False).headers["location"] \
        == "/my/proofs"

    with TestClient(app) as public:  # no login at all
        form = public.get("/verify")
        assert form.status_code == 200 and 'name="code"' in form.text
        jump = public.get(f"/verify?code={proofs.grouped(code).lower()}", follow_redirects=False)
        assert jump.status_code == 303 and jump.headers["location"] == f"/verify/{code}"
        shown = public.get(f"/verify/{code}")
        assert shown.status_code == 200 and "该证明由本机构出具" in shown.text
        assert "职*甲" in shown.text and "职工甲" not in shown.text
        assert privacy.mask_id(world.employee) in shown.text and world.employee not in shown.text
        assert "缴费年限" in shown.text and "个人账户累计储存额：无" in shown.text
        flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
        missing = public.get(f"/verify/{flipped}")
        assert missing.status_code == 404 and "未找到验证码为" in missing.text
        assert public.get(f"/my/proofs/file/{code}.pdf", follow_redirects=False).status_code == 303


def test_person_cannot_reach_others_proofs(client, world, portal_user, sessions):
    theirs = sign_in(client, portal_user("proof_other", world.flexible))
    post(client, "/my/proofs/enrollment", theirs, {})
    with sessions() as db:
        other_code = db.execute(select(Proof.code)).scalar_one()
    token = sign_in(client, portal_user("proof_me", world.employee))
    assert client.get(f"/my/proofs/file/{other_code}.pdf").status_code == 404
    assert codes(client.get("/my/proofs").text) == []
    refused = post(client, person_url(client, world.flexible, "/proofs/rights"), token, {})
    assert refused.status_code == 403 and "仅供经办机构工作人员使用" in refused.text


def test_counter_issues_a_proof(client, world, make_user, sessions):
    token = sign_in(client, make_user("proof_clerk", "clerk"))
    pdf = post(client, person_url(client, world.employee, "/proofs/enrollment"), token, {})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "参保证明" in text and "职工甲" in text
    with sessions() as db:
        proof = db.execute(select(Proof)).scalar_one()
    assert proof.issued_by == "proof_clerk" and proof.channel == "counter"
    assert client.get(f"/my/proofs/file/{proof.code}.pdf").status_code == 200  # staff may
    assert post(client, person_url(client, world.employee, "/proofs/other"), token, {}).status_code == 422
    mine = client.get("/my/proofs")
    assert mine.status_code == 403 and "仅供参保人本人使用" in mine.text


def test_rights_page_offers_proofs_to_staff_and_owner(client, make_user):
    from tests.conftest import person_body
    from tests.web.helpers import post, sign_in

    token = sign_in(client, make_user("clerk_proofs_btn", "clerk"))
    reply = post(client, "/persons", token, person_body(), follow_redirects=False)
    ssn = ssn_at(client, reply.headers["location"])  # sec15
    page = client.get(f"/persons/{ssn}/rights")
    assert 'id="proof-rights"' in page.text and person_url(client, ssn, "/proofs/rights") in page.text
