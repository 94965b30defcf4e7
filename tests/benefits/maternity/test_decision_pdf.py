"""生育津贴核定决定书 (R§20; 《社会保险法》第五十六条): the determination printed with the
employer's average wage, the days, the amount and the month paid — for staff (the case page,
the API) and for the woman her own (the portal), never for someone else; same award, same bytes.

Worked example (test_worked_examples, the difficult twin birth): the employer's 2025 maternity
wages 600000 × 12 + 800001 × 12 = 16800012 fen over 24 person-months = 700000.5 → 700001 fen
(7,000.01 yuan); days 98 + 15 + 15 + 60 = 188; 700001 / 30 × 188 = 4386672.93… → 4386673 fen
(43,866.73 yuan), paid with 202612 (today 2026-11-24).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award
from jingban.benefits.maternity import service as maternity
from jingban.benefits.maternity.export import decision_pdf
from jingban.benefits.maternity.schemas import PregnancyIn
from jingban.core import clock, privacy
from jingban.core.actor import Actor
from jingban.core.errors import NotFound, PermissionDenied
from jingban.registration.models import Person
from jingban.registration.service import person_subject
from tests.benefits.medical.helpers import BANK, insured
from tests.benefits.portal_helpers import portal_user
from tests.benefits.stop_helpers import CLERK, TODAY, through_review
from tests.conftest import error_of
from tests.records.test_proofs import pdf_text
from tests.web.helpers import sign_in


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _decided(sessions) -> tuple[str, dict, int]:
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1), name="产妇丙")
    with sessions() as db:
        maternity.register_pregnancy(db, CLERK, ssn, PregnancyIn(expected_on=dt.date(2026, 10, 25)))
    case = through_review(sessions, "BEN-MATERNITY", {
        "ssn": ssn, "birth_date": "2026-10-20", "babies": 2, "difficult_birth": True,
        "bank_account": BANK}, ["medical_record"])
    assert case["status"] == "completed", case
    with sessions() as db:
        award_id = db.execute(select(Award.id).where(Award.case_id == case["id"])).scalar_one()
    return ssn, case, award_id


def test_the_decision_prints_the_allowance(sessions):
    ssn, case, award_id = _decided(sessions)
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        content, name = decision_pdf(db, CLERK, award_id)
        own = Actor("me", frozenset({"person"}), False, "web", subject=person_subject(person))
        assert decision_pdf(db, own, award_id)[0] == content
        other = Actor("you", frozenset({"person"}), False, "web", subject="person:999999")
        with pytest.raises(PermissionDenied):
            decision_pdf(db, other, award_id)
        with pytest.raises(NotFound):
            decision_pdf(db, CLERK, award_id + 1000)
    assert name == f"生育津贴核定决定书{award_id}.pdf"
    text = pdf_text(content)
    for shown in ("生育津贴核定决定书", "产妇丙", privacy.mask_id(ssn), case["number"], "2026-10-20",
                  "2个，难产", "188天", "7,000.01元", "43,866.73元", "202612", "****0001",
                  "第五十六条", "行政复议"):
        assert shown in text, shown


def test_printed_from_the_case_page_the_portal_and_the_api(client, make_user, sessions, login):
    make_user("clerk-pdf", "clerk")
    ssn, case, award_id = _decided(sessions)
    portal_user(sessions, ssn, "p-mother-pdf")
    sign_in(client, "clerk-pdf")
    page = client.get(f"/cases/{case['id']}").text
    link = f"/benefits/maternity/cases/{case['id']}/decision.pdf"
    assert f'href="{link}"' in page
    staff_copy = client.get(link)
    assert staff_copy.status_code == 200 and staff_copy.content.startswith(b"%PDF-")
    sign_in(client, "p-mother-pdf")
    mine = client.get("/my/benefits").text
    assert f'href="/benefits/maternity/awards/{award_id}/decision.pdf"' in mine
    own_copy = client.get(f"/benefits/maternity/awards/{award_id}/decision.pdf")
    assert own_copy.status_code == 200 and own_copy.content == staff_copy.content
    assert f'href="{link}"' in client.get(f"/cases/{case['id']}").text
    reply = client.get(f"/api/v1/benefits/maternity/awards/{award_id}/decision.pdf", headers=login("clerk"))
    assert reply.status_code == 200 and reply.content == staff_copy.content
    missing = client.get("/api/v1/benefits/maternity/awards/0/decision.pdf", headers=login("clerk"))
    assert missing.status_code == 422 and error_of(missing)["field"]
