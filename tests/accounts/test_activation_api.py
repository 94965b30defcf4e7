"""Portal account activation through the API: a code to the registered phone through the
outbox, the ticket, confirmation with a new password; limits and Chinese errors."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jingban.accounts import rules
from jingban.core.models import AuditEvent, User
from jingban.notices.models import Outbox
from tests.conftest import citizen_id, error_of, person_body

PHONE = "13800000001"
PASSWORD = "api-new-pass-2026"


@pytest.fixture
def ssn(client, login) -> str:
    reply = client.post("/api/v1/persons", json=person_body(phone=PHONE), headers=login("clerk"))
    assert reply.status_code == 201, reply.text
    return reply.json()["ssn"]


def ask(client, ssn: str, phone: str = PHONE):
    return client.post("/api/v1/activation/code", json={"ssn": ssn, "phone": phone})


def confirm(client, ticket: str, code: str, password: str = PASSWORD):
    return client.post("/api/v1/activation/confirm",
                       json={"ticket": ticket, "code": code, "password": password})


def last_code(sessions) -> str:
    with sessions() as db:
        body = db.execute(select(Outbox.body).order_by(Outbox.id.desc()).limit(1)).scalar()
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_activation_by_api_opens_the_account_and_logs_in(client, sessions, ssn):
    reply = ask(client, f" {ssn.lower()} ", "+86 138-0000-0001")
    assert reply.status_code == 202, reply.text
    body = reply.json()
    assert body["expires_in"] == rules.CODE_SECONDS and "已发送" in body["message"]
    code = last_code(sessions)
    assert code not in body["ticket"]
    done = confirm(client, body["ticket"], code)
    assert done.status_code == 201, done.text
    assert done.json()["username"] == ssn
    me = client.get("/api/v1/auth/me",
                    headers={"Authorization": f"Bearer {done.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == ssn
    with sessions() as db:
        user = db.execute(select(User).where(User.username == ssn)).scalar_one()
        assert user.role_names == {"person"} and user.subject.startswith("person:")
        channels = db.execute(select(AuditEvent.channel).where(
            AuditEvent.act == "auth.activation_code")).scalars().all()
        assert channels == ["api"]
    again = confirm(client, body["ticket"], code, "someone-else-2026")
    assert again.status_code == 422 and error_of(again)["code"] == "activation.used"


def test_mismatch_and_unknown_answer_alike(client, sessions, ssn):
    for reply in (ask(client, ssn, "13900000000"), ask(client, citizen_id())):
        assert reply.status_code == 422
        assert error_of(reply)["code"] == "activation.mismatch"
        assert "信息不匹配" in error_of(reply)["message"]
    with sessions() as db:
        assert db.execute(select(Outbox).where(Outbox.body.contains("验证码"))).first() is None
    missing = client.post("/api/v1/activation/code", json={"ssn": ssn})
    assert missing.status_code == 422 and error_of(missing)["field"] == "phone"


def test_three_codes_per_ten_minutes(client, ssn):
    for _ in range(rules.MAX_CODES):
        assert ask(client, ssn).status_code == 202
    refused = ask(client, ssn)
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "activation.too_often" and "过于频繁" in error_of(refused)["message"]


def test_five_wrong_codes_then_refused(client, sessions, ssn):
    ticket = ask(client, ssn).json()["ticket"]
    code = last_code(sessions)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    first = confirm(client, ticket, wrong)
    assert first.status_code == 422 and error_of(first) == {
        "code": "activation.wrong_code", "message": "验证码不正确，还可尝试4次", "field": "code"}
    for _ in range(rules.MAX_ATTEMPTS - 1):
        confirm(client, ticket, wrong)
    right_too_late = confirm(client, ticket, code)
    assert right_too_late.status_code == 403
    assert error_of(right_too_late)["code"] == "activation.too_many"
    with sessions() as db:
        assert db.execute(select(User).where(User.username == ssn)).first() is None


def test_bad_ticket_expired_ticket_and_short_password(client, sessions, ssn, monkeypatch):
    forged = confirm(client, "not-a-ticket", "123456")
    assert forged.status_code == 422 and error_of(forged)["code"] == "activation.no_ticket"
    ticket = ask(client, ssn).json()["ticket"]
    short = confirm(client, ticket, last_code(sessions), "short")
    assert short.status_code == 422 and error_of(short)["field"] == "password"
    monkeypatch.setattr(rules, "CODE_SECONDS", -1)
    expired = confirm(client, ticket, last_code(sessions))
    assert expired.status_code == 422 and error_of(expired)["code"] == "activation.expired"
    assert "验证码已过期" in error_of(expired)["message"]
