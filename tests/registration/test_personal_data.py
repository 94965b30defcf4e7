"""Personal data (secdata, issue 15 item 1): masks per role, the show action with its reason,
the read log for staff and on the portal, sealed columns in a raw dump, phone search,
`jingban keys rotate` and the export right."""

import os

import pytest
from sqlalchemy import select, text

from jingban.core import crypto, keys
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.core.models import AccessLog, AuditEvent
from jingban.models import metadata
from jingban.registration.models import Person
from tests.conftest import PASSWORD, employer_body, error_of, person_body
from tests.web.helpers import csrf, person_url, sign_in

API = "/api/v1"
PHONE = "13912345678"
ACCOUNT = "6217000010007654321"
ADDRESS = "浙江省杭州市西湖区文三路99号"


@pytest.fixture
def clerk(login):
    return login("clerk")


@pytest.fixture
def ssn(client, clerk):
    body = person_body(phone=PHONE, address=ADDRESS)
    reply = client.post(f"{API}/persons", json=body, headers=clerk)
    assert reply.status_code == 201, reply.text
    return reply.json()["ssn"]


def _logs(db, ssn: str) -> list[AccessLog]:
    db.rollback()
    person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
    return list(db.execute(select(AccessLog).where(AccessLog.subject == f"person:{person.id}")
                           .order_by(AccessLog.id)).scalars())


@pytest.mark.parametrize(("role", "phone", "address"), [
    ("clerk", "139****5678", "浙江省杭州市****"),
    ("reviewer_1", "139****5678", "浙江省杭州市****"),
    ("supervisor", "139****5678", "浙江省杭州市****"),
    ("grassroots", PHONE, ADDRESS),
])
def test_person_is_masked_to_every_role_that_does_not_need_it(client, login, ssn, role, phone,
                                                               address):
    shown = client.get(f"{API}/persons/{ssn}", headers=login(role)).json()
    assert (shown["phone"], shown["address"]) == (phone, address)
    assert shown["id_number"] == ssn[:4] + "*" * 10 + ssn[-4:]


def test_employer_phone_and_account_masked_but_the_cashier_sees_the_account(client, clerk, login):
    body = employer_body(phone="057188881234", bank_account=ACCOUNT)
    assert client.post(f"{API}/employers", json=body, headers=clerk).status_code == 201
    shown = client.get(f"{API}/employers/{body['uscc']}", headers=clerk).json()
    assert shown["bank_account"] == "6217***********4321" and shown["phone"] == "057*****1234"
    assert shown["address"] == body["address"]  # a unit's registered address is public
    assert client.get(f"{API}/search", params={"q": body["name"]},
                      headers=clerk).json()["employers"][0]["bank_account"] != ACCOUNT


def test_show_action_needs_a_reason_and_is_logged(client, login, clerk, ssn, db):
    url = f"{API}/persons/{ssn}/reveal"
    assert error_of(client.post(url, json={"reason": "看看"}, headers=clerk))["code"] == \
        "privacy.reason"
    assert error_of(client.post(url, json={}, headers=clerk))["field"] == "reason"
    assert client.post(url, json={"reason": "上级要求核对"},
                       headers=login("supervisor")).status_code == 403
    assert not [log for log in _logs(db, ssn) if log.view.startswith("reveal")]
    full = client.post(url, json={"reason": "柜台核对本人身份证件"}, headers=clerk)
    assert full.status_code == 200, full.text
    assert full.json() == {"ssn": ssn, "id_number": ssn, "phone": PHONE, "address": ADDRESS}
    reveal = [log for log in _logs(db, ssn) if log.view.startswith("reveal")]
    assert [(log.actor, log.reason) for log in reveal] == [("u_clerk", "柜台核对本人身份证件")]
    event = db.execute(select(AuditEvent).where(AuditEvent.act == "privacy.reveal")).scalar_one()
    assert event.actor == "u_clerk" and event.reason == "柜台核对本人身份证件"
    # The data administrator deciding linkage pairs may show a record too (enr14), logged alike.
    assert client.post(url, json={"reason": "比对待定对核实身份"},
                       headers=login("data_admin")).status_code == 200
    assert [log.actor for log in _logs(db, ssn) if log.view.startswith("reveal")][-1] == "u_data_admin"


def test_read_log_is_listable_per_person_and_shown_on_the_portal(client, login, clerk, ssn,
                                                                 sessions):
    client.get(f"{API}/persons/{ssn}", headers=clerk)
    client.post(f"{API}/persons/{ssn}/reveal", json={"reason": "电话回访核实"}, headers=clerk)
    assert error_of(client.get(f"{API}/persons/{ssn}/views", headers=clerk))["code"] == \
        "auth.forbidden"
    views = client.get(f"{API}/persons/{ssn}/views", headers=login("inspector")).json()
    assert {(v["actor"], v["view"]) for v in views} >= {("u_clerk", "record"),
                                                        ("u_clerk", "reveal")}
    assert any(v["reason"] == "电话回访核实" for v in views)

    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(db, SYSTEM, "me_views", PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")
    sign_in(client, "me_views")
    page = client.get("/my/views")
    assert page.status_code == 200 and 'id="my-view-log"' in page.text
    assert "u_clerk" in page.text and "电话回访核实" in page.text and "查看个人登记信息" in page.text
    assert 'href="/my/views"' in client.get("/my/messages").text


def test_person_page_masks_and_the_show_button_reveals(client, make_user, ssn, db):
    make_user("page_clerk", "clerk")
    token = sign_in(client, "page_clerk")
    page = client.get(f"/persons/{ssn}").text
    assert PHONE not in page and ADDRESS not in page and 'id="reveal-form"' in page
    assert 'id="person-phone">139****5678<' in page
    refused = client.post(person_url(client, ssn, "/reveal"), data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and PHONE not in refused.text
    shown = client.post(person_url(client, ssn, "/reveal"),
                        data={"csrf_token": csrf(page), "reason": "办理社保卡核对号码"})
    assert shown.status_code == 200 and f'id="person-phone">{PHONE}<' in shown.text
    assert 'id="revealed"' in shown.text
    assert [log.reason for log in _logs(db, ssn) if log.view.startswith("reveal")] == \
        ["办理社保卡核对号码"]


def _raw(db, sql: str) -> str:
    db.rollback()
    return repr(db.execute(text(sql)).all())


def test_raw_dump_shows_no_plaintext_phone_or_account(client, clerk, ssn, db):
    body = employer_body(phone="057188881234", bank_account=ACCOUNT)
    assert client.post(f"{API}/employers", json=body, headers=clerk).status_code == 201
    change = client.patch(f"{API}/persons/{ssn}", json={"phone": "13700001111",
                                                        "reason": "更换手机号"}, headers=clerk)
    assert change.status_code in (200, 202), change.text
    dump = "".join(_raw(db, f"SELECT * FROM {table}") for table in
                   ("person", "employer", "case_file", "audit_event", "outbox"))
    for secret in (PHONE, "13700001111", ACCOUNT, "057188881234"):
        assert secret not in dump
    assert "sm4g1:" in _raw(db, "SELECT phone FROM person")
    assert "sm4g1:" in _raw(db, "SELECT bank_account FROM employer")
    assert db.execute(select(Person.phone).where(Person.ssn == ssn)).scalar() == "13700001111"


def test_search_by_phone_through_the_blind_index(client, clerk, ssn):
    found = client.get(f"{API}/search", params={"q": "139-1234-5678"}, headers=clerk).json()
    assert [p["ssn"] for p in found["persons"]] == [ssn]
    assert client.get(f"{API}/search", params={"q": "13912340000"},
                      headers=clerk).json()["persons"] == []


def test_rotate_is_resumable_and_idempotent(client, clerk, sessions, monkeypatch):
    made = [client.post(f"{API}/persons", json=person_body(phone=f"1390000{i:04d}"),
                        headers=clerk).json()["ssn"] for i in range(5)]
    old = crypto.current().kid
    monkeypatch.setenv(crypto.ENV_KEY, "r9:" + "77" * 32 + "," + os.environ[crypto.ENV_KEY])
    columns = keys.sealed_columns(metadata)

    def crash(done, total):
        raise KeyboardInterrupt  # killed after the first batch was committed

    phones = [c for c in columns if (c.table.name, c.column) == ("person", "phone")]
    with sessions() as db, pytest.raises(KeyboardInterrupt):
        keys.rotate(db, SYSTEM, phones, size=2, progress=crash)
    with sessions() as db:
        left = keys.pending(db, columns)["person.phone"]
        assert left == 3
        # search finds rotated and not-yet-rotated rows alike
        assert client.get(f"{API}/search", params={"q": "13900000004"},
                          headers=clerk).json()["persons"][0]["ssn"] == made[4]
        counts = keys.rotate(db, SYSTEM, columns, size=2)
        assert counts["person.phone"] == 3 and keys.pending(db, columns)["person.phone"] == 0
        assert keys.rotate(db, SYSTEM, columns)["person.phone"] == 0
        raw = db.execute(text("SELECT phone, phone_index FROM person")).all()
        assert all(p.startswith("sm4g1:r9:") and i.startswith("r9:") for p, i in raw)
        phones = sorted(db.execute(select(Person.phone)).scalars())
        assert phones == [f"1390000{i:04d}" for i in range(5)]
    assert old != "r9"
    assert client.get(f"{API}/search", params={"q": "13900000003"},
                      headers=clerk).json()["persons"][0]["ssn"] == made[3]


def test_exports_of_personal_data_only_for_roles_allowed_and_logged(client, login, db):
    url = f"{API}/oversight/monitors/hits.xlsx"
    assert error_of(client.get(url, headers=login("supervisor")))["code"] == "auth.forbidden"
    reply = client.get(url, headers=login("inspector"))
    assert reply.status_code == 200
    db.rollback()
    logged = db.execute(select(AccessLog).where(AccessLog.view == "export")).scalars().all()
    assert [(log.actor, log.subject) for log in logged] == [
        ("u_inspector", "export:monitor_hits.xlsx")]
    assert db.execute(select(AuditEvent.act).where(AuditEvent.act == "privacy.export")).scalar()
