"""失业保险金核定决定书 (R§24): the determination printed with its months, amount, breakdown and
basis — for staff and for the person his own, never for someone else; same award, same bytes."""

from __future__ import annotations

import pytest

from jingban.benefits.common.models import Award
from jingban.benefits.unemployment.export import decision_pdf
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import NotFound, PermissionDenied
from jingban.registration.models import Person
from jingban.registration.service import person_subject
from tests.benefits.stop_helpers import CLERK, TODAY, through_review
from tests.benefits.unemployment.helpers import claim, months, unemployed
from tests.conftest import error_of
from tests.records.test_proofs import pdf_text


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_the_decision_prints_the_determination(sessions, client, login):
    # 7 years paid (201910–202609): 18 months × 2,241.00 = 40,338.00 yuan from 202610 to 202803
    ssn = unemployed(sessions, periods=months(201910, 202609), name="失业戊")
    case = through_review(sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()})
    with sessions() as db:
        award = db.query(Award).filter(Award.kind == "unemployment").one()
        person = db.get(Person, award.person_id)
        content, name = decision_pdf(db, CLERK, award.id)
        own = Actor("me", frozenset({"person"}), False, "web", subject=person_subject(person))
        assert decision_pdf(db, own, award.id)[0] == content
        other = Actor("you", frozenset({"person"}), False, "web", subject="person:999999")
        with pytest.raises(PermissionDenied):
            decision_pdf(db, other, award.id)
        with pytest.raises(NotFound):
            decision_pdf(db, CLERK, award.id + 1000)
    assert name == f"失业保险金核定决定书{award.id}.pdf"
    text = pdf_text(content)
    for shown in ("失业保险金核定决定书", "失业戊", ssn, case["number"], "2,241.00元", "18个月",
                  "202610 至 202803", "40,338.00元", "第二十四条", "行政复议"):
        assert shown in text, shown
    reply = client.get(f"/api/v1/benefits/unemployment/awards/{award.id}/pdf", headers=login("clerk"))
    assert reply.status_code == 200 and reply.content == content
    assert error_of(client.get("/api/v1/benefits/unemployment/awards/0/pdf",
                               headers=login("clerk")))["field"]
