"""The complaint API: the public and portal intake, and the reporter's identity kept from
everyone but the complaint post — the accused party, other staff, exports, the timeline and the
audit chain never carry it (R§51)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.core.models import AuditEvent
from jingban.oversight.complaints.models import Complaint, ComplaintStep
from jingban.registration.models import Employer, Person
from tests.conftest import PASSWORD, citizen_id, employer_body, error_of, person_body

API = "/api/v1/oversight/complaints"
NAME, PHONE = "钱实名", "13566667777"


@pytest.fixture
def employer(client, login):
    body = employer_body(registered_on="2020-01-01")
    assert client.post("/api/v1/employers", json=body, headers=login("clerk")).status_code == 201
    return body["uscc"]


def portal_headers(client, db, username: str, roles: set[str], subject: str) -> dict:
    db.rollback()  # a fresh snapshot: the app wrote in its own sessions
    create_user(db, SYSTEM, username, PASSWORD, roles, subject=subject, profile="fast")
    token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def public_report(client, accused: str, **overrides):
    body = {"kind": "report", "anonymous": False, "wants_notice": True, "reporter_name": NAME,
            "reporter_id_number": ID_NUMBER, "reporter_phone": PHONE,
            "accused_kind": "employer", "accused_ref": accused, "accused_name": "被举报公司",
            "facts": "该单位虚报职工工资基数，少缴养老保险费"}
    body.update(overrides)
    return client.post(f"{API}/public", json=body)


ID_NUMBER = citizen_id()
SECRETS = (NAME, PHONE, ID_NUMBER)


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_identity_only_for_the_complaint_post(client, login, db, employer):
    receipt = public_report(client, employer.lower())  # no login: the public form
    assert receipt.status_code == 201, receipt.text
    assert set(receipt.json()) == {"number", "received_on", "screening_due", "notice_due",
                                   "due_provisional"}
    assert leaks(receipt.text) == []
    row = db.execute(select(Complaint)).scalar_one()
    employer_id = db.execute(select(Employer.id).where(Employer.uscc == employer)).scalar()
    assert (row.channel, row.accused_ref, row.accused_subject) == (
        "public", employer, f"employer:{employer_id}")

    officer = login("complaint_officer")
    shown = client.get(f"{API}/{row.id}", headers=officer).json()
    assert shown["identity_shown"] and shown["reporter_name"] == NAME
    assert shown["reporter_phone"] == PHONE and shown["reporter_id_number"] == ID_NUMBER
    screened = client.post(f"{API}/{row.id}/screening", json={"screening": "accepted",
                                                             "reason": "线索具体"}, headers=officer)
    assert screened.status_code == 200 and screened.json()["status"] == "accepted"

    for roles in (("inspector",), ("supervisor",)):
        staff = login(*roles)
        one = client.get(f"{API}/{row.id}", headers=staff)
        listed = client.get(API, headers=staff)
        assert one.status_code == listed.status_code == 200
        assert one.json()["identity_shown"] is False and one.json()["reporter_name"] is None
        assert leaks(one.text) == [] and leaks(listed.text) == []
        assert one.json()["accused_name"] == "被举报公司"  # the facts are there to investigate
    for roles in (("clerk",), ("reviewer_1",), ("accountant",)):
        assert client.get(f"{API}/{row.id}", headers=login(*roles)).status_code == 403

    sheet = client.get(f"{API}/export.xlsx", headers=officer)  # not even the post's own export
    assert sheet.status_code == 200
    cells = [str(c) for r in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(
        values_only=True) for c in r]
    assert row.number in cells and leaks(" ".join(cells)) == []

    accused = portal_headers(client, db, "accused_boss", {"employer"}, f"employer:{employer_id}")
    assert client.get(API, headers=accused).status_code == 403
    assert client.get(f"{API}/{row.id}", headers=accused).status_code == 403
    assert client.get(f"{API}/export.xlsx", headers=accused).status_code == 403
    assert client.get(f"{API}/mine", headers=accused).json() == []
    history = client.get(f"/api/v1/employers/{employer}/history", headers=login("clerk"))
    assert leaks(history.text) == []

    db.rollback()
    events = db.execute(select(AuditEvent)).scalars().all()
    assert any(e.subject == f"complaint:{row.id}" for e in events)
    assert leaks(" ".join(f"{e.before}{e.after}{e.reason}" for e in events)) == []
    steps = db.execute(select(ComplaintStep.note)).scalars().all()
    assert len(steps) == 2 and leaks(" ".join(steps)) == []


def test_portal_report_is_real_name_as_the_account_or_anonymous(client, login, db, employer):
    clerk = login("clerk")
    body = person_body(name="孙门户", phone="13600001111")
    assert client.post("/api/v1/persons", json=body, headers=clerk).status_code == 201
    person = db.execute(select(Person).where(Person.id_number == body["id_number"])).scalar_one()
    me = portal_headers(client, db, "portal_sun", {"person"}, f"person:{person.id}")
    filed = client.post(f"{API}/online", headers=me, json={
        "accused_kind": "employer", "accused_ref": employer, "accused_name": "原单位",
        "facts": "离职前两年未足额缴费"})
    assert filed.status_code == 201, filed.text
    hidden = client.post(f"{API}/online", headers=me, json={
        "anonymous": True, "accused_kind": "other", "accused_name": "某中介",
        "facts": "代办虚假参保"})
    assert hidden.status_code == 201
    db.rollback()
    real, anonymous = db.execute(select(Complaint).order_by(Complaint.id)).scalars().all()
    assert (real.reporter_name, real.reporter_phone, real.reporter_id_number) == (
        "孙门户", "13600001111", person.ssn)
    assert real.notice_due is not None and real.channel == "web"
    assert (anonymous.reporter_name, anonymous.reporter_subject, anonymous.notice_due) == (
        "", None, None)
    steps = " ".join(f"{s.actor}{s.note}" for c in (real, anonymous) for s in c.steps)
    events = " ".join(f"{e.actor}{e.after}{e.reason}" for e in db.execute(
        select(AuditEvent).where(AuditEvent.subject.like("complaint:%"))).scalars())
    assert "portal_sun" not in steps + events and "孙门户" not in steps + events
    assert client.post(f"{API}/public", headers=me, json={
        "anonymous": True, "accused_kind": "other", "accused_name": "x", "facts": "y"}
    ).status_code == 403  # signed in: online, in one's own name or anonymous
    mine = client.get(f"{API}/mine", headers=me).json()
    assert [m["number"] for m in mine] == [real.number] and mine[0]["identity_shown"]
    assert client.post(f"{API}", headers=me, json={}).status_code in (403, 422)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"anonymous": True}, None),  # anonymous with a name given
    ({"reporter_phone": "", "reporter_email": ""}, None),  # real-name and unreachable
    ({"reporter_name": ""}, None),
    ({"accused_ref": "91330106MA0000000A"}, "accused_ref"),
    ({"reporter_id_number": "330106199001011234"}, "reporter_id_number"),
    ({"accused_kind": "cat"}, "accused_kind"),
    ({"facts": ""}, "facts"),
])
def test_bad_reports_are_refused_and_write_nothing(client, db, employer, overrides, field):
    refused = public_report(client, employer, **overrides)
    err = error_of(refused)
    assert refused.status_code == 422
    if field:
        assert err["field"] == field
    db.rollback()
    assert db.execute(select(Complaint)).first() is None


def test_counter_intake_and_the_whole_path_over_the_api(client, login, employer):
    officer = login("complaint_officer")
    assert client.post(API, headers=login("clerk"), json={}).status_code in (403, 422)
    taken = client.post(API, headers=officer, json={
        "channel": "counter", "reporter_name": "李来访", "reporter_phone": "13700001234",
        "wants_notice": True, "accused_kind": "person", "accused_ref": citizen_id(),
        "accused_name": "王某", "facts": "其父已于去年去世仍冒领养老金", "request_id": "visit-1"})
    assert taken.status_code == 201, taken.text
    again = client.post(API, headers=officer, json={
        "channel": "counter", "reporter_name": "李来访", "reporter_phone": "13700001234",
        "accused_kind": "person", "accused_name": "王某", "facts": "重复提交",
        "request_id": "visit-1"})
    assert again.json()["id"] == taken.json()["id"]
    cid = taken.json()["id"]
    late = client.post(f"{API}/{cid}/reward", headers=officer, json={"reference": "R1"})
    assert error_of(late)["code"] == "complaint.not_confirmed"
    for path, body in (("screening", {"screening": "accepted"}),
                       ("notice", {"channel": "sms"}),
                       ("investigation", {"note": "转稽核核查"}),
                       ("outcome", {"outcome": "confirmed", "note": "查实冒领", "confirmed_yuan": "48000"}),
                       ("reward", {"reference": "JL-0001"})):
        reply = client.post(f"{API}/{cid}/{path}", headers=officer, json=body)
        assert reply.status_code == 200, (path, reply.text)
    done = reply.json()
    assert (done["status"], done["confirmed_fen"], done["reward_fen"]) == (
        "concluded", 4_800_000, 96_000)
    assert [s["action"] for s in done["steps"]] == [
        "intake", "screen", "notice", "investigate", "conclude", "reward"]
    assert client.post(f"{API}/{cid}/reward", headers=officer,
                       json={"reference": "JL-0002"}).status_code == 409
    assert client.post(f"{API}/{cid}/reward", headers=login("supervisor"),
                       json={"reference": "JL-0003"}).status_code == 403
    bad = client.post(f"{API}/{cid}/outcome", headers=officer,
                      json={"outcome": "unfounded", "note": "x", "confirmed_yuan": "1"})
    assert bad.status_code == 422
    assert client.get(f"{API}/99999", headers=officer).status_code == 404


WRITES = [("post", f"{API}/public"), ("post", f"{API}/online"), ("post", API),
          ("post", f"{API}/1/screening"), ("post", f"{API}/1/notice"),
          ("post", f"{API}/1/investigation"), ("post", f"{API}/1/outcome"),
          ("post", f"{API}/1/reward"), ("post", "/api/v1/oversight/challenges"),
          ("post", "/api/v1/oversight/challenges/1/outcome")]
BODIES = {"screening": {"screening": "accepted"}, "notice": {"channel": "sms"},
          "investigation": {"note": "x"}, "outcome": {"outcome": "unfounded", "note": "x"},
          "reward": {"reference": "x"},
          "challenges": {"case_number": "JB1", "kind": "litigation", "body": "法院",
                         "reference": "1", "claimant": "x", "claims": "x",
                         "filed_on": "2026-01-05"},
          "challenges/1/outcome": {"outcome": "upheld", "decided_on": "2026-01-05",
                                   "decision_reference": "x"}}


@pytest.mark.parametrize(("method", "url"), WRITES)
def test_the_supervisor_reads_but_writes_nothing(client, login, method, url):
    """R§47: the supervisor's token reaches no write endpoint of complaints or challenges."""
    body = next((BODIES[k] for k in sorted(BODIES, key=len, reverse=True) if url.endswith(k)), {
        "accused_kind": "other", "accused_name": "x", "facts": "y", "anonymous": True,
        "channel": "counter"})
    if url.endswith(("/public", "/online")):
        body = {k: v for k, v in body.items() if k != "channel"}
    reply = getattr(client, method)(url, json=body, headers=login("supervisor"))
    assert reply.status_code == 403, reply.text
    assert client.get(API, headers=login("supervisor")).status_code == 200
