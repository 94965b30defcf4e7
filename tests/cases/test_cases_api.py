"""The case engine through the API: intake, materials, the clock, tiered review, notices."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from jingban.cases import catalog  # medmat
from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.models import AuditEvent
from jingban.registration.models import Person
from tests.conftest import citizen_id, employer_body, error_of, person_body

API = "/api/v1"


@pytest.fixture
def staff(login, make_user, client):
    """Clerk, three reviewers (level 3 formal staff) and a non-formal level-3 reviewer."""
    return {"clerk": login("clerk"), "r1": login("reviewer_1"), "r2": login("reviewer_2"),
            "r3": login("reviewer_3"), "r12": login("reviewer_1", "reviewer_2")}


@pytest.fixture
def person(client, staff):
    reply = client.post(f"{API}/persons", json=person_body(name="王小明"), headers=staff["clerk"])
    assert reply.status_code == 201, reply.text
    return reply.json()["ssn"]


def submit(client, headers, item, payload, **extra):
    return client.post(f"{API}/cases", json={"item": item, "payload": payload, **extra},
                       headers=headers)


def correction(client, staff, ssn, **extra):
    payload = {"ssn": ssn, "name": "王晓明", "reason": "公安机关更正姓名"}
    return submit(client, staff["clerk"], "REG-PERSON-CORRECT", payload,
                  materials=["id_document"], **extra)


def decide(client, headers, case_id, level, decision="approve", reason="同意"):
    return client.post(f"{API}/cases/{case_id}/decisions",
                       json={"level": level, "decision": decision, "reason": reason},
                       headers=headers)


def test_catalog_lists_every_spec_item(client, staff):
    items = {i["code"]: i for i in client.get(f"{API}/items", headers=staff["clerk"]).json()}
    assert items["REG-PERSON-CORRECT"]["review_levels"] == 3
    assert items["BEN-PENSION"]["deadline_wd"] == 20
    assert {"BEN-MEDICAL-MANUAL", "BEN-MATERNITY", "BEN-UNEMPLOYMENT", "TRF-PENSION-ENTERPRISE",
            "TRF-UNEMPLOYMENT-OUT", "OBJECTION"} <= set(items)
    # complaints keep their own clock outside the case engine (the reporter stays hidden)
    assert "OVS-COMPLAINT" not in items
    assert all(m["basis"] for i in items.values() for m in i["materials"])


def test_name_correction_through_three_levels(client, staff, person, make_user, db):
    reply = correction(client, staff, person)
    assert reply.status_code == 201, reply.text
    case = reply.json()
    assert case["status"] == "in_review" and case["levels_required"] == 3
    assert [m["state"] for m in case["materials"]] == ["provided", "shared"]
    assert case["due_on"] == clock.today().isoformat() or case["due_on"] > clock.today().isoformat()
    for level, who in [(1, "r1"), (2, "r2"), (3, "r3")]:
        reply = decide(client, staff[who], case["id"], level)
        assert reply.status_code == 200, reply.text
    done = reply.json()
    assert done["status"] == "completed" and done["completed_on"] == clock.today().isoformat()
    assert [s["action"] for s in done["timeline"]] == ["intake", "approve", "approve", "approve",
                                                       "completed"]
    assert client.get(f"{API}/persons/{person}", headers=staff["clerk"]).json()["name"] == "王晓明"
    history = client.get(f"{API}/persons/{person}/history", headers=staff["clerk"]).json()
    fix = [h for h in history if h["act"] == "registration.correct_identity"][0]
    assert fix["changes"]["name"] == ["王小明", "王晓明"] and fix["channel"] == "case"
    acts = db.execute(select(AuditEvent.act).where(AuditEvent.subject == f"case:{case['id']}")).all()
    assert len(acts) == 5
    dashboard = client.get(f"{API}/cases/dashboard", headers=staff["r1"]).json()
    row = [i for i in dashboard["items"] if i["item"] == "REG-PERSON-CORRECT"][0]
    assert (row["completed"], row["on_time"], row["overdue"]) == (1, 1, 0)


def test_person_sees_progress_in_portal(client, staff, person, make_user, db):
    subject = f"person:{db.execute(select(Person.id).where(Person.ssn == person)).scalar()}"
    from jingban.core.actor import SYSTEM
    from jingban.core.auth import create_user
    from tests.conftest import PASSWORD

    create_user(db, SYSTEM, "portal_wang", PASSWORD, {"person"}, subject=subject, profile="fast")
    token = client.post(f"{API}/auth/token", data={"username": "portal_wang",
                                                   "password": PASSWORD}).json()["access_token"]
    me = {"Authorization": f"Bearer {token}"}
    case = correction(client, staff, person).json()
    mine = client.get(f"{API}/cases/mine", headers=me).json()
    assert [(c["item"], c["status"]) for c in mine] == [("REG-PERSON-CORRECT", "in_review"),
                                                        ("REG-PERSON", "completed")]
    detail = client.get(f"{API}/cases/{case['id']}", headers=me).json()
    assert "已受理" in detail["notifications"][0]["message"]
    other = submit(client, staff["clerk"], "REG-PERSON", person_body()).json()
    assert client.get(f"{API}/cases/{other['id']}", headers=me).status_code == 404


def test_self_review_skipping_and_formal_staff(client, staff, person, make_user, login):
    both = login("clerk")  # the intake clerk cannot review anyway (no reviewer role)
    case = correction(client, staff, person).json()
    assert error_of(decide(client, staff["r2"], case["id"], 2))["code"] == "case.level_taken"
    assert error_of(decide(client, staff["r2"], case["id"], 1))["code"] == "case.level_role"
    assert decide(client, staff["r12"], case["id"], 1).status_code == 200
    err = error_of(decide(client, staff["r12"], case["id"], 2))
    assert err["code"] == "case.same_reviewer"
    assert decide(client, staff["r2"], case["id"], 2).status_code == 200
    make_user("r3_temp", "reviewer_3", formal_staff=True)
    informal = _token_for_informal_reviewer3(client, make_user)
    assert error_of(decide(client, informal, case["id"], 3))["code"] == "case.formal_staff"
    assert both


def _token_for_informal_reviewer3(client, make_user):
    """Role rules refuse reviewer_3 to non-formal staff, so demote one after assignment."""
    from sqlalchemy import update

    from jingban.core.models import User
    from tests.conftest import PASSWORD

    make_user("r3_informal", "reviewer_3", formal_staff=True)
    app_sessions = client.app.state.sessionmaker
    with app_sessions() as session:
        session.execute(update(User).where(User.username == "r3_informal").values(formal_staff=False))
        session.commit()
    token = client.post(f"{API}/auth/token", data={"username": "r3_informal",
                                                   "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_reviewer_cannot_review_own_intake(client, login, person):
    both = login("clerk", "reviewer_1")
    case = submit(client, both, "REG-PERSON-CORRECT",
                  {"ssn": person, "name": "王晓明", "reason": "更正"}, materials=["id_document"])
    assert case.status_code == 201, case.text
    assert error_of(decide(client, both, case.json()["id"], 1))["code"] == "case.self_review"


def test_reject_returns_with_reason_and_remedies(client, staff, person):
    case = correction(client, staff, person).json()
    err = error_of(decide(client, staff["r1"], case["id"], 1, "reject", ""))
    assert err["code"] == "case.reason"
    back = decide(client, staff["r1"], case["id"], 1, "reject", "证明材料与户籍信息不符").json()
    assert back["status"] == "returned" and back["outcome"] == "证明材料与户籍信息不符"
    notice = back["notifications"][-1]["message"]
    assert "行政复议" in notice and "60日" in notice and "6个月" in notice
    again = client.post(f"{API}/cases/{case['id']}/resubmit", json={"reason": "已补正"},
                        headers=staff["clerk"]).json()
    assert again["status"] == "in_review" and again["levels_done"] == 0
    assert decide(client, staff["r1"], case["id"], 1).status_code == 200


def test_incomplete_application_one_notice_and_clock_pause(client, staff, person, monkeypatch):
    payload = {"ssn": person, "reason": "出境定居"}
    case = submit(client, staff["clerk"], "REG-PERSON-CANCEL", payload).json()
    assert case["status"] == "awaiting_materials" and case["due_on"] is None
    assert [n["kind"] for n in case["notifications"]] == ["missing"]
    assert "注销原因证明" in case["notifications"][0]["message"]
    assert "居民身份证" not in case["notifications"][0]["message"]  # proved by shared data
    later = dt.date(2026, 9, 30)
    monkeypatch.setattr(clock, "today", lambda: later)
    reply = client.post(f"{API}/cases/{case['id']}/materials", json={"codes": ["cancel_proof"]},
                        headers=staff["clerk"]).json()
    assert reply["status"] == "in_review" and reply["due_on"] == "2026-10-20"  # 10 wd, National Day


def test_reviewer_asks_for_materials_and_remaining_days_carry_over(client, staff, person,
                                                                   monkeypatch):
    days = iter([dt.date(2026, 11, 2), dt.date(2026, 11, 4), dt.date(2026, 11, 9)])
    current = {"d": next(days)}
    monkeypatch.setattr(clock, "today", lambda: current["d"])
    case = correction(client, staff, person).json()
    assert case["due_on"] == "2026-11-16"  # 10 wd from 11-02
    current["d"] = next(days)  # 11-03 and 11-04 used: 8 left
    paused = client.post(f"{API}/cases/{case['id']}/missing",
                         json={"codes": ["id_document"], "note": "身份证复印件不清晰"},
                         headers=staff["r1"]).json()
    assert paused["status"] == "awaiting_materials" and paused["remaining_wd"] == 8
    current["d"] = next(days)
    resumed = client.post(f"{API}/cases/{case['id']}/materials", json={"codes": ["id_document"]},
                          headers=staff["clerk"]).json()
    assert resumed["due_on"] == "2026-11-19"  # 8 wd after 11-09


def test_due_date_in_2027_with_and_without_calendar(client, staff, person, monkeypatch, settings):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 24))
    case = correction(client, staff, person).json()
    assert (case["due_on"], case["due_provisional"]) == ("2027-01-07", True)
    folder = settings.calendar_dirs[0]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2027.yaml").write_text(
        "year: 2027\nreference: 测试\nholidays: [2027-01-01, 2027-01-02, 2027-01-03]\n",
        encoding="utf-8")
    from jingban.core import agency

    agency.calendar.cache_clear()
    second = submit(client, staff["clerk"], "REG-EMPLOYER", employer_body()).json()
    assert (second["due_on"], second["due_provisional"]) == ("2027-01-08", False)
    agency.calendar.cache_clear()


def test_same_request_id_gives_one_case(client, staff, db):
    body = person_body()
    first = submit(client, staff["clerk"], "REG-PERSON", body, request_id="req-42")
    second = submit(client, staff["clerk"], "REG-PERSON", body, request_id="req-42")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert db.execute(select(func.count()).select_from(Case)).scalar() == 1


def test_level_zero_completes_at_intake_and_leaves_a_case(client, staff):
    case = submit(client, staff["clerk"], "REG-PERSON", person_body(),
                  agent={"name": "张代办", "id_number": citizen_id(), "authorization": "委托书2026-001"})
    got = case.json()
    assert got["status"] == "completed" and got["subject"].startswith("person:")
    assert got["agent_name"] == "张代办" and "代办人" in got["timeline"][0]["note"]


def test_bad_intake_writes_nothing(client, staff, db, monkeypatch):
    before = db.execute(select(func.count()).select_from(AuditEvent)).scalar()
    bad = submit(client, staff["clerk"], "REG-PERSON", person_body(id_number="330106199005061231"))
    assert error_of(bad)["code"] == "id.check_digit"
    assert error_of(submit(client, staff["clerk"], "NOPE", {}))["code"] == "case.item_unknown"
    opened = catalog.item("BEN-MATERNITY")  # medmat: close an open item
    monkeypatch.setitem(catalog.load(), "BEN-MATERNITY", opened.model_copy(update={"act": None}))  # medmat
    assert error_of(submit(client, staff["clerk"], "BEN-MATERNITY", {}))["code"] == "case.item_not_open"
    agent = {"name": "x", "id_number": "1", "authorization": ""}
    err = error_of(submit(client, staff["clerk"], "REG-PERSON", person_body(), agent=agent))
    assert err["field"] == "agent.authorization"
    db.rollback()
    assert db.execute(select(func.count()).select_from(AuditEvent)).scalar() == before
    assert db.execute(select(func.count()).select_from(Case)).scalar() == 0


def test_failing_act_leaves_case_open(client, staff, login, db):
    employer = employer_body(registered_on="2020-01-01")
    client.post(f"{API}/employers", json=employer, headers=staff["clerk"])
    case = submit(client, staff["clerk"], "REG-EMPLOYER-CANCEL",
                  {"uscc": employer["uscc"], "reason": "歇业"}).json()
    assert decide(client, staff["r1"], case["id"], 1).status_code == 200
    client.post(f"{API}/employers/{employer['uscc']}/liabilities",
                json={"kind": "arrears", "amount": "100.00"}, headers=login("accountant"))
    reply = decide(client, staff["r2"], case["id"], 2)
    assert error_of(reply)["code"] == "employer.liabilities"
    after = client.get(f"{API}/cases/{case['id']}", headers=staff["r2"]).json()
    assert (after["status"], after["levels_done"]) == ("in_review", 1)
    assert client.get(f"{API}/employers/{employer['uscc']}", headers=staff["clerk"]).json()[
        "status"] == "active"


def test_two_reviewers_at_the_same_moment(client, staff, person, sessions, login):
    """Exactly one of two simultaneous first-level approvals succeeds."""
    from jingban.cases import service
    from jingban.core.actor import Actor
    from jingban.core.errors import JingbanError

    case = correction(client, staff, person).json()
    login("reviewer_1", "surveyor")  # a second reviewer_1 user exists for the audit trail
    reviewers = [Actor("u_reviewer_1", frozenset({"reviewer_1"}), True),
                 Actor("u_reviewer_1_surveyor", frozenset({"reviewer_1"}), True)]

    def attempt(actor):
        with sessions() as session:
            try:
                service.decide(session, actor, case["id"], 1, "approve", "同意")
                return "ok"
            except JingbanError as exc:
                return exc.code

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(attempt, reviewers))
    assert results.count("ok") == 1, results
    after = client.get(f"{API}/cases/{case['id']}", headers=staff["r1"]).json()
    assert after["levels_done"] == 1 and len([s for s in after["timeline"]
                                              if s["action"] == "approve"]) == 1


def test_queue_claim_and_deadline_lists(client, staff, person, monkeypatch):
    case = correction(client, staff, person).json()
    queue = client.get(f"{API}/cases/queue", headers=staff["r1"]).json()
    assert [c["id"] for c in queue] == [case["id"]]
    assert client.get(f"{API}/cases/queue", headers=staff["r2"]).json() == []
    claimed = client.post(f"{API}/cases/{case['id']}/claim", json={}, headers=staff["r1"]).json()
    assert claimed["assigned_to"] == "u_reviewer_1"
    assert error_of(decide(client, staff["r12"], case["id"], 1))["code"] == "case.assigned"
    monkeypatch.setattr(clock, "today", lambda: dt.date.fromisoformat(case["due_on"]))
    lists = client.get(f"{API}/cases/deadlines", headers=staff["r1"]).json()
    assert [c["id"] for c in lists["due_soon"]] == [case["id"]]
    monkeypatch.setattr(clock, "today",
                        lambda: dt.date.fromisoformat(case["due_on"]) + dt.timedelta(days=1))
    lists = client.get(f"{API}/cases/deadlines", headers=staff["r1"]).json()
    assert [c["id"] for c in lists["overdue"]] == [case["id"]]
    dashboard = client.get(f"{API}/cases/dashboard", headers=staff["r1"]).json()
    assert [s for s in dashboard["staff"] if s["user"] == "u_reviewer_1"][0]["overdue"] == 1


def test_outbox_is_drained_once(client, staff, login):
    case = submit(client, staff["clerk"], "REG-PERSON", person_body(phone="13912345678")).json()
    admin = login("sysadmin")
    pending = client.get(f"{API}/outbox", headers=admin).json()
    assert [p["address"] for p in pending] == ["13912345678"]
    assert case["number"] in pending[0]["body"]
    failed = client.post(f"{API}/outbox/{pending[0]['id']}", json={"delivered": False}, headers=admin)
    assert failed.json()["attempts"] == 1
    assert len(client.get(f"{API}/outbox", headers=admin).json()) == 1
    client.post(f"{API}/outbox/{pending[0]['id']}", json={"delivered": True}, headers=admin)
    assert client.get(f"{API}/outbox", headers=admin).json() == []
    again = client.post(f"{API}/outbox/{pending[0]['id']}", json={"delivered": True}, headers=admin)
    assert error_of(again)["code"] == "outbox.sent"
    assert client.get(f"{API}/outbox", headers=staff["clerk"]).status_code == 403


def test_catalog_refuses_a_material_without_legal_basis():
    from jingban.cases import catalog
    from jingban.core.errors import InvalidInput

    text = """
- code: X
  name: 测试事项
  insurance: all
  applicant: person
  channels: [counter]
  deadline_wd: 10
  deadline_basis: 测试
  review_levels: 1
  act: null
  materials:
    - code: photo
      name: 近期免冠照片
      basis: " "
"""
    with pytest.raises(InvalidInput) as err:
        catalog.parse(text, "test.yaml")
    assert err.value.code == "catalog.invalid" and "法律依据" in err.value.message


def test_objection_clock_starts_when_materials_are_complete_and_upheld_reopens(
        client, staff, person, login, monkeypatch):
    case = correction(client, staff, person).json()
    decide(client, staff["r1"], case["id"], 1, "reject", "证明不清")
    objection = submit(client, staff["clerk"], "OBJECTION",
                       {"case_number": case["number"], "reason": "证明清楚，请复核"}).json()
    assert objection["status"] == "awaiting_materials" and objection["due_on"] is None
    assert objection["subject"] == case["subject"]
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 30))
    objection = client.post(f"{API}/cases/{objection['id']}/materials",
                            json={"codes": ["objection_statement"]}, headers=staff["clerk"]).json()
    assert objection["due_on"] == "2026-10-20"  # 10 wd after the materials are complete
    monkeypatch.undo()
    other_r1 = login("reviewer_1", "grassroots")
    assert decide(client, other_r1, objection["id"], 1).status_code == 200
    done = decide(client, staff["r2"], objection["id"], 2).json()
    assert done["status"] == "completed"
    parent = client.get(f"{API}/cases/{case['id']}", headers=staff["r1"]).json()
    assert parent["status"] == "completed"
    assert client.get(f"{API}/persons/{person}", headers=staff["clerk"]).json()["name"] == "王晓明"


def test_objection_only_against_a_refusal(client, staff, person):
    case = submit(client, staff["clerk"], "REG-PERSON", person_body()).json()
    reply = submit(client, staff["clerk"], "OBJECTION",
                   {"case_number": case["number"], "reason": "x"}, materials=["objection_statement"])
    assert error_of(reply)["code"] == "case.objection_status"


def _portal(client, db, ssn, username):
    from jingban.core.actor import SYSTEM
    from jingban.core.auth import create_user
    from tests.conftest import PASSWORD

    subject = f"person:{db.execute(select(Person.id).where(Person.ssn == ssn)).scalar()}"
    create_user(db, SYSTEM, username, PASSWORD, {"person"}, subject=subject, profile="fast")
    token = client.post(f"{API}/auth/token", data={"username": username,
                                                   "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_person_applies_online_for_himself_only(client, staff, person, db):
    me = _portal(client, db, person, "portal_self")
    change = submit(client, me, "REG-PERSON-CHANGE",
                    {"ssn": person, "phone": "13700000001", "reason": "更换手机号"})
    assert change.status_code == 201, change.text
    assert change.json()["status"] == "completed" and change.json()["channel"] == "api"
    got = client.get(f"{API}/persons/{person}", headers=staff["clerk"]).json()
    assert got["phone"] == "137****0001"  # secdata: masked to the clerk
    other = client.post(f"{API}/persons", json=person_body(), headers=staff["clerk"]).json()["ssn"]
    reply = submit(client, me, "REG-PERSON-CHANGE", {"ssn": other, "phone": "1", "reason": "x"})
    assert error_of(reply)["code"] == "case.not_own"
    assert error_of(submit(client, me, "REG-PERSON", person_body()))["code"] == "case.not_own"
    cancel = submit(client, me, "REG-PERSON-CANCEL", {"ssn": person, "reason": "出境定居"}).json()
    assert cancel["status"] == "awaiting_materials"
    supplied = client.post(f"{API}/cases/{cancel['id']}/materials",
                           json={"codes": ["cancel_proof"]}, headers=me).json()
    assert supplied["status"] == "in_review"
    assert client.post(f"{API}/cases/{cancel['id']}/decisions",
                       json={"level": 1, "decision": "approve"}, headers=me).status_code == 403


def test_a_due_date_in_an_unpublished_year_is_stated_as_provisional(client, staff, person):
    """Received on Christmas Eve 2026, ten working days run into 2027, whose holidays are not
    published: the case, the reviewer's queue and the acceptance notice say 暂定."""
    with clock.travel(dt.date(2026, 12, 24)):
        case = correction(client, staff, person).json()
        assert case["due_on"].startswith("2027-") and case["due_provisional"] is True
        queue = client.get(f"{API}/cases/queue", headers=staff["r1"]).json()
    assert [c["due_provisional"] for c in queue if c["id"] == case["id"]] == [True]
    accepted = [n["message"] for n in case["notifications"] if n["kind"] == "accepted"]
    assert accepted and f"{case['due_on']}（暂定）前办结" in accepted[0]
