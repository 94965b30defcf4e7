"""Reconsideration and litigation (R§52) recorded against the case they challenge: upheld
confirms the case, revoked or changed reopens it through the case engine, whose new round of
review then decides again and runs the item's act."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, PermissionDenied
from jingban.registration.models import Person
from tests.conftest import error_of, person_body

API = "/api/v1"


@pytest.fixture
def staff(login):
    return {"clerk": login("clerk"), "r1": login("reviewer_1"), "r2": login("reviewer_2"),
            "r3": login("reviewer_3"), "legal": login("complaint_officer"),
            "supervisor": login("supervisor")}


@pytest.fixture
def refused(client, staff):
    """A correction case the first reviewer refused (returned)."""
    person = client.post(f"{API}/persons", json=person_body(name="赵复议"), headers=staff["clerk"])
    ssn = person.json()["ssn"]
    case = client.post(f"{API}/cases", headers=staff["clerk"], json={
        "item": "REG-PERSON-CORRECT", "materials": ["id_document"],
        "payload": {"ssn": ssn, "name": "赵复义", "reason": "公安机关更正姓名"}}).json()
    reply = decide(client, staff["r1"], case["id"], 1, "reject", "更正证明不清晰")
    assert reply.json()["status"] == "returned"
    return {"case": case, "ssn": ssn}


def decide(client, headers, case_id, level, decision="approve", reason="同意"):
    return client.post(f"{API}/cases/{case_id}/decisions", headers=headers,
                       json={"level": level, "decision": decision, "reason": reason})


def challenge(client, headers, number, **overrides):
    body = {"case_number": number, "kind": "reconsideration", "body": "杭州市人力资源和社会保障局",
            "reference": "杭人社复〔2026〕12号", "claimant": "赵复议", "claims": "撤销不予更正的决定",
            "filed_on": clock.today().isoformat()}
    body.update(overrides)
    return client.post(f"{API}/oversight/challenges", json=body, headers=headers)


def outcome(client, headers, challenge_id, result, **overrides):
    body = {"outcome": result, "decided_on": clock.today().isoformat(),
            "decision_reference": "杭人社复决〔2026〕12号", "note": "原决定认定事实不清"}
    body.update(overrides)
    return client.post(f"{API}/oversight/challenges/{challenge_id}/outcome", json=body,
                       headers=headers)


def test_revoked_reopens_the_case_and_its_new_round_runs_the_act(client, staff, refused, db):
    number = refused["case"]["number"]
    recorded = challenge(client, staff["legal"], number)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["status"] == "pending" and recorded.json()["case_status"] == "returned"
    twice = challenge(client, staff["legal"], number, kind="litigation", reference="(2026)浙0106行初1号")
    assert error_of(twice)["code"] == "challenge.pending"
    assert outcome(client, staff["supervisor"], recorded.json()["id"], "revoked").status_code == 403

    done = outcome(client, staff["legal"], recorded.json()["id"], "revoked")
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["reopened_round"], done.json()["case_status"]) == (
        "decided", 2, "in_review")
    case = client.get(f"{API}/cases/{refused['case']['id']}", headers=staff["clerk"]).json()
    assert case["status"] == "in_review" and case["levels_done"] == 0
    assert case["timeline"][-1]["action"] == "reopen" and "行政复议撤销" in case["timeline"][-1]["note"]
    assert case["timeline"][-1]["round"] == 2
    assert any("重新办理" in n["message"] for n in case["notifications"])
    again = outcome(client, staff["legal"], recorded.json()["id"], "upheld")
    assert error_of(again)["code"] == "challenge.decided"

    for level in (1, 2, 3):  # the new round of review decides again and runs the act
        assert decide(client, staff[f"r{level}"], case["id"], level).status_code == 200
    db.rollback()
    assert db.get(Case, case["id"]).status == "completed"
    person = db.execute(select(Person).where(Person.ssn == refused["ssn"])).scalar_one()
    assert person.name == "赵复义"
    listed = client.get(f"{API}/oversight/challenges", params={"case_number": number},
                        headers=staff["supervisor"]).json()
    assert [c["outcome"] for c in listed] == ["revoked"]


def test_upheld_confirms_the_case_as_decided(client, staff, refused):
    recorded = challenge(client, staff["legal"], refused["case"]["number"], kind="litigation",
                         body="杭州市西湖区人民法院", reference="(2026)浙0106行初7号")
    done = outcome(client, staff["legal"], recorded.json()["id"], "upheld",
                   decision_reference="(2026)浙0106行初7号判决")
    assert done.status_code == 200 and done.json()["case_status"] == "returned"
    assert done.json()["reopened_round"] is None
    case = client.get(f"{API}/cases/{refused['case']['id']}", headers=staff["clerk"]).json()
    assert case["status"] == "returned" and case["timeline"][-1]["action"] == "confirm"
    assert "行政诉讼维持" in case["timeline"][-1]["note"]
    # a second challenge may follow once the first is decided (litigation after reconsideration)
    assert challenge(client, staff["legal"], refused["case"]["number"]).status_code == 201


def test_refused_challenges_write_nothing(client, staff, refused, db):
    open_case = client.post(f"{API}/cases", headers=staff["clerk"], json={
        "item": "REG-PERSON-CORRECT", "materials": ["id_document"],
        "payload": {"ssn": refused["ssn"], "name": "赵改名", "reason": "更正"}}).json()
    assert error_of(challenge(client, staff["legal"], open_case["number"]))["code"] == \
        "challenge.not_decided"
    unknown = challenge(client, staff["legal"], "JB2099010100000001")
    assert unknown.status_code == 404 and error_of(unknown)["field"] == "case_number"
    future = challenge(client, staff["legal"], refused["case"]["number"],
                       filed_on=(clock.today() + dt.timedelta(days=1)).isoformat())
    assert error_of(future)["field"] == "filed_on"
    assert challenge(client, staff["clerk"], refused["case"]["number"]).status_code == 403
    assert challenge(client, staff["legal"], refused["case"]["number"],
                     kind="appeal").status_code == 422
    recorded = challenge(client, staff["legal"], refused["case"]["number"]).json()
    early = outcome(client, staff["legal"], recorded["id"], "revoked",
                    decided_on=(clock.today() - dt.timedelta(days=30)).isoformat())
    assert error_of(early)["field"] == "decided_on"
    db.rollback()
    case = db.get(Case, refused["case"]["id"])
    assert (case.status, case.round) == ("returned", 1)
    assert client.get(f"{API}/oversight/challenges", headers=staff["supervisor"]).json()[0][
        "status"] == "pending"


def test_reopen_and_confirm_in_the_engine(sessions, client, staff, refused):
    """The engine's own reopen: only a decided case, only with a reason, only by its posts."""
    officer = Actor("legal", frozenset({"complaint_officer"}), True, "counter")
    with sessions() as db:
        case_id = refused["case"]["id"]
        with pytest.raises(PermissionDenied):
            cases.reopen(db, Actor("c", frozenset({"clerk"}), True, "counter"), case_id, "x")
        with pytest.raises(InvalidInput):
            cases.reopen(db, officer, case_id, " ")
        reopened = cases.reopen(db, officer, case_id, "复议撤销")
        assert (reopened.status, reopened.round, reopened.levels_done) == ("in_review", 2, 0)
        assert reopened.due_on is not None and reopened.remaining_wd == reopened.deadline_wd
        with pytest.raises(Conflict):
            cases.reopen(db, officer, case_id, "再次")
        with pytest.raises(Conflict):
            cases.confirm(db, officer, case_id, "维持")
