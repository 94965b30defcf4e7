"""Transfers through the API and the pages of one agency (the peer only in the directory):
applications as cases, the refusal of work injury, the inbox's refusals, lists, overdue steps,
the clerk's pages and the person's portal."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.cases.models import Case
from jingban.registration.models import Person
from jingban.transfers.models import Transfer, TransferMessage, TransferStep
from tests.conftest import error_of
from tests.transfers.helpers import NEW, OLD, fresh_ssn, key_of, months, person, two_sides
from tests.web.helpers import post, sign_in


@pytest.fixture
def here(sessions, tmp_path, monkeypatch):
    """This app is the agency of region 330106 (OLD in the helpers); 310104 is its peer."""
    old, _new = two_sides(sessions, tmp_path, monkeypatch)
    monkeypatch.setenv("JINGBAN_SIGNING_KEY", key_of(tmp_path, OLD))
    return old


def _mover(side, **kwargs) -> str:
    ssn = fresh_ssn()
    person(side, ssn, history={"pension_enterprise": months(2020, 24)},
           enrolled=("pension_enterprise",), **kwargs)
    return ssn


def _apply(client, headers, ssn, **overrides):
    body = {"ssn": ssn, "kind": "pension_enterprise", "direction": "out", "peer_region": NEW}
    return client.post("/api/v1/transfers", json={**body, **overrides}, headers=headers)


def _approve(client, login, case_id):
    reply = client.post(f"/api/v1/cases/{case_id}/decisions", headers=login("reviewer_1"),
                        json={"level": 1, "decision": "approve", "reason": "同意"})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_work_injury_transfer_is_refused_with_the_reason(client, login, here, db):
    ssn = _mover(here)
    reply = _apply(client, login("clerk"), ssn, kind="injury")
    err = error_of(reply)
    assert err["code"] == "transfers.not_transferable" and err["field"] == "kind"
    assert "新就业地重新参加工伤保险" in err["message"] and "第十五条" in err["message"]
    assert "生育保险" in error_of(_apply(client, login("clerk"), ssn, kind="maternity"))["message"]
    db.rollback()
    assert db.execute(select(func.count()).select_from(Case)).scalar() == 0


def test_application_is_a_case_and_approval_sends_the_message(client, login, here, db):
    ssn = _mover(here)
    reply = _apply(client, login("clerk"), ssn)
    assert reply.status_code == 201, reply.text
    case = reply.json()
    assert case["item"] == "TRF-PENSION-ENTERPRISE" and case["status"] == "in_review"
    db.rollback()
    assert db.execute(select(func.count()).select_from(Transfer)).scalar() == 0  # dry run only
    assert _approve(client, login, case["case_id"])["status"] == "completed"
    listed = client.get("/api/v1/transfers", headers=login("clerk")).json()
    assert len(listed) == 1
    transfer = listed[0]
    assert (transfer["role"], transfer["applied_at"], transfer["step"]) == ("old", "old",
                                                                            "contact_letter")
    assert transfer["steps"][0]["due_on"] is not None and not transfer["overdue"]
    db.rollback()
    assert db.execute(select(Transfer.case_id)).scalar() == case["case_id"]
    sent = db.execute(select(TransferMessage)).scalars().all()
    assert [(m.kind, m.status, m.peer_region) for m in sent] == [("application", "pending", NEW)]
    # the same person cannot have two open transfers of one kind
    again = _apply(client, login("clerk"), ssn)
    assert error_of(again)["code"] == "transfers.open_exists"


def test_refusals_of_bad_applications(client, login, here):
    ssn = _mover(here)
    clerk = login("clerk")
    assert error_of(_apply(client, clerk, ssn, peer_region="440305"))["code"] == \
        "transfers.unknown_agency"
    assert error_of(_apply(client, clerk, ssn, peer_region=OLD))["code"] == "transfers.same_region"
    assert error_of(_apply(client, clerk, fresh_ssn()))["code"] == "person.not_found"
    assert error_of(_apply(client, clerk, ssn, kind="unknown"))["field"] == "kind"
    assert error_of(_apply(client, login("cashier"), ssn))["code"] == "auth.forbidden"


def test_inbox_refuses_what_it_cannot_trust(client, here):
    for body in ({}, {"to": OLD, "from": "440305"}, {"to": OLD, "from": NEW, "payload": {},
                                                     "digest": "0" * 64, "signature": "x"}):
        err = error_of(client.post("/api/v1/transfers/inbox", json=body))
        assert err["code"].startswith("transfers.")
    assert error_of(client.post("/api/v1/transfers/inbox", json={"to": OLD, "from": "440305"})
                    )["code"] == "transfers.unknown_agency"
    info = client.get("/api/v1/transfers/agency").json()
    assert info["region"] == OLD and NEW in info["agencies"] and len(info["public_key"]) == 44


def _started(client, login, ssn):
    case = _apply(client, login("clerk"), ssn).json()
    _approve(client, login, case["case_id"])
    return client.get("/api/v1/transfers", headers=login("clerk")).json()[0]


def test_overdue_steps_are_listed_for_the_clerk(client, login, here, sessions):
    transfer = _started(client, login, _mover(here))
    with sessions() as db:
        step = db.execute(select(TransferStep).where(TransferStep.transfer_id == transfer["id"],
                                                     TransferStep.code == "contact_letter")).scalar()
        step.due_on = dt.date(2024, 1, 2)
        db.commit()
    overdue = client.get("/api/v1/transfers?overdue=true", headers=login("clerk")).json()
    assert [t["id"] for t in overdue] == [transfer["id"]] and overdue[0]["overdue"]
    token = sign_in(client, login_user(login, "clerk"))
    page = client.get("/transfers?overdue=true")
    assert page.status_code == 200 and "已逾期" in page.text and transfer["ref"] in page.text
    detail = client.get(f"/transfers/{transfer['id']}")
    assert "联系函" in detail.text and "转移申请（转出地受理）" in detail.text
    refused = post(client, f"/transfers/{transfer['id']}/refuse", token, {"reason": ""})
    assert refused.status_code == 422 and "理由" in refused.text
    done = post(client, f"/transfers/{transfer['id']}/refuse", token, {"reason": "本人撤回申请"},
                follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(f"/transfers/{transfer['id']}").text
    assert "不予办理" in shown and "本人撤回申请" in shown


def login_user(login, role: str) -> str:
    login(role)  # creates the user u_<role>
    return f"u_{role}"


def test_clerk_starts_on_the_page_and_injury_is_refused_there(client, login, here):
    ssn = _mover(here)
    token = sign_in(client, login_user(login, "clerk"))
    page = client.get("/transfers")
    assert page.status_code == 200 and "受理转移申请" in page.text and NEW in page.text
    refused = post(client, "/transfers", token, {"ssn": ssn, "kind": "injury", "direction": "out",
                                                 "peer_region": NEW})
    assert refused.status_code == 422 and "第十五条" in refused.text
    started = post(client, "/transfers", token, {"ssn": ssn, "kind": "pension_enterprise",
                                                 "direction": "out", "peer_region": NEW},
                   follow_redirects=False)
    assert started.status_code == 303 and "/cases/" in started.headers["location"]


def test_person_applies_and_follows_progress_on_the_portal(client, login, here, make_user,
                                                           sessions):
    ssn = _mover(here)
    with sessions() as db:
        pid = db.execute(select(Person.id).where(Person.ssn == ssn)).scalar()
    from jingban.core.actor import SYSTEM
    from jingban.core.auth import create_user
    from tests.conftest import PASSWORD

    with sessions() as db:
        create_user(db, SYSTEM, "mover", PASSWORD, {"person"}, subject=f"person:{pid}",
                    profile="fast")
    token = sign_in(client, "mover")
    page = client.get("/my/transfers")
    assert page.status_code == 200 and "申请转移" in page.text and "还没有" in page.text
    refused = post(client, "/my/transfers", token, {"kind": "maternity", "direction": "out",
                                                     "peer_region": NEW})
    assert refused.status_code == 422 and "生育保险" in refused.text
    applied = post(client, "/my/transfers", token, {"kind": "pension_enterprise",
                                                     "direction": "out", "peer_region": NEW},
                   follow_redirects=False)
    assert applied.status_code == 303, applied.text
    with sessions() as db:
        case = db.execute(select(Case)).scalar()
    assert case.channel == "web" and case.item_code == "TRF-PENSION-ENTERPRISE"
    _approve(client, login, case.id)
    with sessions() as db:
        ref = db.execute(select(Transfer.ref)).scalar()
    follow_up = f"已审核同意；已通知转入地经办机构，关系转移接续办理中（转移编号{ref}）"
    assert follow_up in client.get("/my").text.split('id="my-cases"')[1]
    assert follow_up in client.get(f"/cases/{case.id}").text.split('id="case-outcome"')[1]
    shown = client.get("/my/transfers").text
    assert "新参保地审核并发出联系函" in shown and "办理中" in shown
    mine = client.get("/api/v1/transfers/mine", headers=_bearer(client, "mover")).json()
    assert mine[0]["ssn"] == ssn and mine[0]["status"] == "open"
    assert client.get("/transfers").status_code == 403
    # the items are also in the generic online application list, with their own form
    assert "/my/apply/TRF-PENSION-ENTERPRISE" in client.get("/my/apply").text
    generic = client.get("/my/apply/TRF-PENSION-ENTERPRISE")
    assert generic.status_code == 200 and 'name="peer_region"' in generic.text


def _bearer(client, username: str) -> dict:
    from tests.conftest import PASSWORD

    token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_staff_case_page_names_the_codes_and_the_running_transfer(client, login, here,
                                                                  make_user):
    case = _apply(client, login("clerk"), _mover(here)).json()
    sign_in(client, make_user("clerk_case_page", "clerk"))
    facts = client.get(f"/cases/{case['case_id']}").text.split('id="case-payload"')[1]
    facts = facts.split("</table>")[0]
    assert "转移险种" in facts and "企业职工基本养老保险关系跨省转移接续" in facts
    assert "转移方向" in facts and "从本地转出" in facts
    assert "pension_enterprise" not in facts and ">out<" not in facts
    assert 'id="case-outcome"' not in client.get(f"/cases/{case['case_id']}").text
    _approve(client, login, case["case_id"])
    page = client.get(f"/cases/{case['case_id']}").text
    status = page.split('id="case-status"')[1].split("</dd>")[0]
    assert "已办结" in status and "已审核同意；已通知转入地经办机构，关系转移接续办理中（转移编号" in status
