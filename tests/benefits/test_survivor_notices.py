"""Cases about a deceased person (issue 5): the case engine's own notices (accepted / decided)
reach the dependant or reporter on the case, never the deceased's portal or phone; and a
dependant applies online for survivor benefits (BEN-SURVIVOR, catalog ``applicant: dependant``)
as himself, about a person recorded dead."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.notices.models import Notification, Outbox
from jingban.registration.models import Person
from tests.benefits.pension_helpers import retiree
from tests.benefits.stop_helpers import TODAY, add_award, through_review
from tests.conftest import PASSWORD, error_of

DECEASED_PHONE = "13900000001"  # every retiree() gets it
DEPENDANT_PHONE = "13900000009"
BANK = "6217000010005550001"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _die(sessions, ssn: str, day: dt.date = dt.date(2026, 10, 3)) -> None:
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        person.death_date, person.status = day, "deceased"
        db.commit()


def _deceased(sessions) -> str:
    ssn = retiree(sessions, birth=dt.date(1958, 3, 1), deemed=360, name="退休己")
    add_award(sessions, ssn, kind="pension_enterprise", start=202601, monthly=300000)
    return ssn


def _claim(ssn: str, applicant: str, name: str = "遗属庚") -> dict:
    return {"ssn": ssn, "applicant_name": name, "applicant_id_number": applicant,
            "relationship": "spouse", "bank_account": BANK, "phone": DEPENDANT_PHONE}


def _notices(sessions, case_id: int) -> list[tuple[str, str, str | None]]:
    """(kind, recipient, SMS address) of the engine's notices on a case."""
    with sessions() as db:
        rows = db.execute(select(Notification.kind, Notification.recipient, Outbox.address)
                          .outerjoin(Outbox, Outbox.notification_id == Notification.id)
                          .where(Notification.case_id == case_id).order_by(Notification.id)).all()
        return [tuple(row) for row in rows]


def test_survivor_case_notices_reach_the_dependant_not_the_deceased(sessions):
    ssn = _deceased(sessions)
    dependant = retiree(sessions, birth=dt.date(1960, 6, 6), name="遗属庚")
    _die(sessions, ssn)
    case = through_review(sessions, "BEN-SURVIVOR", _claim(ssn, dependant),
                          provided=["relationship_proof"])
    assert case["status"] == "completed"
    assert _notices(sessions, case["id"]) == [("accepted", dependant, DEPENDANT_PHONE),
                                              ("decision", dependant, DEPENDANT_PHONE)]
    with sessions() as db:
        assert not db.execute(select(Notification.id).where(Notification.recipient == ssn)).first()
        assert not db.execute(select(Outbox.id).where(Outbox.address == DECEASED_PHONE)).first()


def test_stop_report_of_a_death_is_answered_to_the_reporter(sessions):
    ssn = _deceased(sessions)
    _die(sessions, ssn)  # the death already recorded (the feed); a relative reports it too
    case = through_review(sessions, "BEN-STOP-REPORT", {
        "ssn": ssn, "reason": "death", "event_date": "2026-10-03", "reporter": "relative",
        "reporter_name": "亲属辛", "reporter_phone": "13800000002"})
    assert case["status"] == "completed"
    assert _notices(sessions, case["id"]) == [("accepted", f"heirs:{ssn}", "13800000002"),
                                              ("decision", f"heirs:{ssn}", "13800000002")]


def test_notices_about_a_living_person_still_go_to_him(sessions):
    ssn = _deceased(sessions)  # not dead: suspended for imprisonment, reported by himself
    case = through_review(sessions, "BEN-STOP-REPORT", {
        "ssn": ssn, "reason": "imprisonment", "event_date": "2026-10-03", "reporter": "person"})
    assert [(kind, to, sms) for kind, to, sms in _notices(sessions, case["id"])] \
        == [("accepted", ssn, DECEASED_PHONE), ("decision", ssn, DECEASED_PHONE)]


def _portal(client, sessions, ssn: str, username: str) -> dict:
    with sessions() as db:
        person_id = db.execute(select(Person.id).where(Person.ssn == ssn)).scalar()
        create_user(db, SYSTEM, username, PASSWORD, {"person"}, subject=f"person:{person_id}",
                    profile="fast")
    token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _apply(client, headers, item: str, payload: dict):
    return client.post("/api/v1/cases", headers=headers,
                       json={"item": item, "payload": payload, "materials": ["relationship_proof"]})


def test_dependant_applies_online_for_survivor_benefits_as_himself(client, sessions):
    ssn = _deceased(sessions)
    dependant = retiree(sessions, birth=dt.date(1960, 6, 6), name="遗属庚")
    other = retiree(sessions, birth=dt.date(1961, 7, 7), name="他人壬")
    me = _portal(client, sessions, dependant, "portal_dependant")
    alive = _apply(client, me, "BEN-SURVIVOR", _claim(ssn, dependant))
    assert error_of(alive)["code"] == "case.subject_alive"
    _die(sessions, ssn)
    as_other = _apply(client, me, "BEN-SURVIVOR", _claim(ssn, other, "他人壬"))
    assert error_of(as_other)["code"] == "case.not_own"
    wrong_name = _apply(client, me, "BEN-SURVIVOR", _claim(ssn, dependant, "别名"))
    assert error_of(wrong_name)["code"] == "case.not_own"
    # only the item declaring a dependant applicant may be about someone else
    report = client.post("/api/v1/cases", headers=me, json={"item": "BEN-STOP-REPORT", "payload": {
        "ssn": ssn, "reason": "death", "event_date": "2026-10-03", "reporter": "relative"}})
    assert error_of(report)["code"] == "case.not_own"
    reply = _apply(client, me, "BEN-SURVIVOR", _claim(ssn, dependant))
    assert reply.status_code == 201, reply.text
    case = reply.json()
    assert case["status"] == "in_review" and case["channel"] == "api"
    mine = client.get("/api/v1/cases/mine", headers=me).json()
    assert [c["id"] for c in mine] == [case["id"]]
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=me).json()
    assert "已受理" in detail["notifications"][0]["message"]
    assert _notices(sessions, case["id"]) == [("accepted", dependant, DEPENDANT_PHONE)]
    stranger = _portal(client, sessions, other, "portal_other")
    assert client.get(f"/api/v1/cases/{case['id']}", headers=stranger).status_code == 404


def test_dependant_applies_on_the_portal_page_as_himself(client, sessions):
    from tests.web.helpers import case_id_of, post, sign_in

    ssn = _deceased(sessions)
    _die(sessions, ssn)
    dependant = retiree(sessions, birth=dt.date(1960, 6, 6), name="遗属庚")
    _portal(client, sessions, dependant, "portal_dependant_web")
    token = sign_in(client, "portal_dependant_web")
    assert "/my/apply/BEN-SURVIVOR" in client.get("/my/apply").text
    form = client.get("/my/apply/BEN-SURVIVOR")
    assert form.status_code == 200 and "申领遗属姓名" in form.text
    # whatever the form says of the applicant, the applicant is the signed-in person
    claim = {**_claim(ssn, "110101199001011237", "冒名"), "request_id": "portal-survivor-1"}
    reply = post(client, "/my/apply/BEN-SURVIVOR", token, claim, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    with sessions() as db:
        case = db.get(Case, case_id_of(reply))
        assert (case.subject, case.applicant_key, case.channel) == \
            (f"person:{db.execute(select(Person.id).where(Person.ssn == ssn)).scalar()}",
             dependant, "web")
