"""Proofs: issuing 参保证明 and 个人权益记录单, the PDF in Chinese, public verification by code,
who may download, and the yearly statement batch with its notices (D§33)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from jingban.core import audit, clock, privacy
from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from jingban.core.errors import Conflict, PermissionDenied
from jingban.notices.models import Notification, Outbox
from jingban.records import proofs
from jingban.records.models import Proof
from jingban.registration.models import Person
from tests.conftest import PASSWORD, error_of
from tests.records.helpers import collector_csv, make_world, pension_row, upload

API = "/api/v1"
ACCOUNTANT = Actor("acct", frozenset({"accountant"}), True, "api")


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF through pdftotext (poppler-utils)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        if os.environ.get("JINGBAN_REQUIRE_BROWSER") == "1":
            pytest.fail("JINGBAN_REQUIRE_BROWSER=1 but pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    assert pdf.startswith(b"%PDF-")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "proof.pdf"
        path.write_bytes(pdf)
        done = subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, check=True,
                              timeout=60)
    return done.stdout.decode("utf-8")


@pytest.fixture
def world(sessions, client, login):
    """The records world with twelve months of 2024 posted and the 2024 interest credited."""
    world = make_world(sessions)
    acct = login("accountant")
    rows = [pension_row(world, f"P{m}", 202400 + m) for m in range(1, 13)]
    assert upload(client, acct, collector_csv(rows)).json()["posted"] == 12
    run = client.post(f"{API}/accounts/interest-runs", json={"year": 2024}, headers=acct)
    assert run.status_code == 201, run.text
    return world


@pytest.fixture
def person_login(client, sessions):
    """Bearer headers of a portal user who is the person with this SSN."""

    def headers(ssn: str) -> dict:
        with sessions() as db:
            person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
            username = f"p_{person.id}"
            create_user(db, SYSTEM, username, PASSWORD, {"person"},
                        subject=f"person:{person.id}", profile="fast")
        reply = client.post(f"{API}/auth/token", data={"username": username, "password": PASSWORD})
        return {"Authorization": f"Bearer {reply.json()['access_token']}"}

    return headers


def issue(client, headers, ssn: str, kind: str):
    return client.post(f"{API}/persons/{ssn}/proofs", json={"kind": kind}, headers=headers)


def test_rights_statement_pdf_in_chinese(client, login, world, sessions):
    clerk = login("clerk")
    reply = issue(client, clerk, world.employee, "rights")
    assert reply.status_code == 201, reply.text
    out = reply.json()
    code = out["code"]
    assert proofs.CODE_RE.match(code) and out["code_grouped"].replace("-", "") == code
    assert out["title"] == "个人权益记录单" and out["verify_url"] == f"/verify/{code}"
    pdf = client.get(out["pdf_url"], headers=clerk)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert client.get(out["pdf_url"], headers=clerk).content == pdf.content  # same code, same PDF
    text = pdf_text(pdf.content)
    for expected in ("个人权益记录单", "职工甲", "企业职工基本养老保险", f"/verify/{code}",
                     out["code_grouped"], out["issued_at"], "缴费年限", "1年0个月"):
        assert expected in text, expected
    assert world.employee not in text and privacy.mask_id(world.employee) in text
    with sessions() as db:
        proof = db.execute(select(Proof).where(Proof.code == code)).scalar_one()
        assert proofs.intact(proof) and proof.issued_by == "u_clerk"
        events = [e.act for e in audit.history(db, f"person:{proof.person_id}")]
    assert "records.issue_proof" in events


def test_enrollment_certificate(client, login, world):
    reply = issue(client, login("clerk"), world.employee, "enrollment")
    assert reply.status_code == 201, reply.text
    facts = client.get(f"{API}/verify/{reply.json()['code']}").json()["facts"]
    assert facts["title"] == "参保证明" and facts["person_status"] == "正常"
    assert {e["insurance"] for e in facts["enrollments"]} >= {"pension_enterprise", "injury"}
    assert all(e["start"] == "2024-01-01" and e["end"] is None for e in facts["enrollments"])
    assert "企业职工基本养老保险" in facts["current"]
    text = pdf_text(client.get(reply.json()["pdf_url"], headers=login("clerk")).content)
    assert "参保证明" in text and "职工甲" in text and "杭州缴费测试有限公司" in text


def test_verify_is_public_and_masked(client, login, world):
    out = issue(client, login("clerk"), world.employee, "rights").json()
    for code in (out["code"], out["code_grouped"].lower(), f" {out['code_grouped']} "):
        reply = client.get(f"{API}/verify/{code}")  # no token
        assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["name"] == "职*甲" and body["ssn"] == privacy.mask_id(world.employee)
    assert body["authentic"] is True and body["kind"] == "rights"
    assert body["issued_on"] == out["issued_at"][:10]
    assert world.employee not in reply.text and "职工甲" not in reply.text
    years = {y["insurance"]: y for y in body["facts"]["contribution_years"]}
    assert years["pension_enterprise"]["actual_months"] == 12
    assert body["facts"]["accounts"][0]["year"] == 2024
    assert set(body) == {"code", "kind", "title", "issued_on", "issued_at", "name", "ssn",
                         "authentic", "facts"}


def test_unknown_or_tampered_code_is_404(client, login, world, sessions):
    code = issue(client, login("clerk"), world.employee, "rights").json()["code"]
    flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
    for bad in (flipped, "ABC", "0" * 16, code + "A"):
        err = error_of(client.get(f"{API}/verify/{bad}"))
        assert err["code"] == "proof.not_found", bad
    assert error_of(client.get(f"{API}/proofs/{flipped}.pdf",
                               headers=login("clerk")))["code"] == "proof.not_found"
    with sessions() as db:  # the stored statement altered afterwards no longer checks out
        db.execute(update(Proof).where(Proof.code == code).values(
            facts=func.replace(Proof.facts, '"actual_months":12', '"actual_months":24')))
        db.commit()
    tampered = client.get(f"{API}/verify/{code}")  # sec15: only that it is not authentic
    assert tampered.status_code == 200 and tampered.json()["authentic"] is False
    assert set(tampered.json()) == {"code", "authentic", "message"}
    assert "未通过真实性校验" in tampered.json()["message"] and "actual_months" not in tampered.text


def test_person_downloads_only_his_own(client, login, world, person_login):
    mine = person_login(world.employee)
    own = issue(client, mine, world.employee, "rights")
    assert own.status_code == 201, own.text
    other = issue(client, login("clerk"), world.flexible, "enrollment").json()
    assert client.get(own.json()["pdf_url"], headers=mine).status_code == 200
    assert error_of(client.get(other["pdf_url"], headers=mine))["code"] == "proof.not_found"
    assert error_of(issue(client, mine, world.flexible, "rights"))["code"] == "auth.forbidden"
    assert client.get(own.json()["pdf_url"]).status_code == 401
    assert issue(client, {}, world.employee, "rights").status_code == 401
    assert error_of(client.get(own.json()["pdf_url"], headers=login("sysadmin")))["code"] \
        == "auth.forbidden"
    assert error_of(issue(client, mine, world.employee, "other"))["code"] == \
        "validation.literal_error"


def test_yearly_statements_once_per_person_and_notified(world, db, sessions):
    db.execute(update(Person).where(Person.ssn == world.employee).values(phone="13800000001"))
    db.commit()
    assert proofs.yearly_statements(db, ACCOUNTANT, 2024) == 3
    assert proofs.yearly_statements(db, ACCOUNTANT, 2024) == 0
    assert db.execute(select(func.count()).select_from(Proof)
                      .where(Proof.year == 2024, Proof.kind == "rights")).scalar() == 3
    notes = db.execute(select(Notification).where(Notification.kind == "statement")).scalars().all()
    assert len(notes) == 3 and all(n.case_id is None for n in notes)
    assert {n.recipient for n in notes} == {world.employee, world.flexible, world.resident}
    sms = db.execute(select(Outbox)).scalars().all()
    assert [(o.address, o.sent_at) for o in sms] == [("13800000001", None)]
    assert "2024年度个人权益记录单" in sms[0].body
    proof = db.execute(select(Proof).join(Person, Person.id == Proof.person_id)
                       .where(Person.ssn == world.employee)).scalar_one()
    assert f"/verify/{proof.code}" in pdf_text(proofs.render_pdf(proof))
    assert proofs.intact(proof)
    facts = proofs.facts_of(proof)
    assert facts["title"] == "2024年度个人权益记录单" and facts["as_of"] == "2024-12-31"
    assert [(y["year"], y["months"]) for y in facts["years"]] == [(2024, 12)]
    assert facts["balances"][0]["scheme"] == "pension_enterprise"
    code = next(n.message for n in notes if n.recipient == world.employee)
    assert proofs.grouped(proof.code) in code
    assert [e.act for e in audit.history(db, "statements:2024")] == ["records.yearly_statements"]


def test_yearly_statements_refusals(world, db):
    with pytest.raises(Conflict):
        proofs.yearly_statements(db, ACCOUNTANT, clock.today().year)
    with pytest.raises(PermissionDenied):
        proofs.yearly_statements(db, Actor("c", frozenset({"clerk"}), True, "api"), 2024)
    assert db.execute(select(func.count()).select_from(Proof)).scalar() == 0
