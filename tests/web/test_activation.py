"""Portal account activation: SSN + registered phone, a one-time code through the outbox,
at most five wrong codes, a ten-minute token; and the large-text switch."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jingban.accounts import rules
from jingban.core.models import AuditEvent, User
from jingban.notices.models import Notification, Outbox
from tests.conftest import citizen_id, person_body
from tests.web.helpers import csrf, post, sign_in, ssn_at

PHONE = "13800000000"
NEW_PASSWORD = "my-new-pass-2026"


@pytest.fixture
def person(client, make_user) -> str:
    """A person registered at the counter (with the case the activation SMS is tied to)."""
    token = sign_in(client, make_user("clerk_activation", "clerk"))
    reply = post(client, "/persons", token, person_body(phone=PHONE), follow_redirects=False)
    assert reply.status_code == 303, reply.text
    post(client, "/logout", token, {})
    client.cookies.clear()
    return ssn_at(client, reply.headers["location"])  # sec15


def form_token(client, url: str = "/activate") -> str:
    return csrf(client.get(url).text)


def ask(client, ssn: str, phone: str = PHONE, **kwargs):
    return post(client, "/activate", form_token(client), {"ssn": ssn, "phone": phone}, **kwargs)


def confirm(client, code: str, password: str = NEW_PASSWORD, **kwargs):
    token = form_token(client, "/activate/confirm")
    return post(client, "/activate/confirm", token,
                {"code": code, "password": password, "password2": password}, **kwargs)


def last_code(sessions) -> str:
    with sessions() as db:
        body = db.execute(select(Outbox.body).order_by(Outbox.id.desc()).limit(1)).scalar()
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_activation_creates_the_portal_user(client, sessions, person):
    page = client.get("/activate")
    assert page.status_code == 200 and "个人门户账户开通" in page.text
    reply = ask(client, person, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/activate/confirm"
    code = last_code(sessions)
    with sessions() as db:
        out = db.execute(select(Outbox).order_by(Outbox.id.desc())).scalars().first()
        note = db.get(Notification, out.notification_id)
        assert (out.channel, out.address) == ("sms", PHONE)
        assert note.kind == "activation" and code not in note.message
    before = dict(client.cookies)
    done = confirm(client, code, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/my"
    home = client.get("/my")
    assert "门户账户已开通" in home.text and 'href="/my/rights"' in home.text
    with sessions() as db:
        user = db.execute(select(User).where(User.username == person)).scalar_one()
        assert user.role_names == {"person"} and user.subject.startswith("person:")
    # the code is one-time: the old session cookie replayed cannot use it again
    client.cookies.clear()
    client.cookies.update(before)
    replayed = confirm(client, code, "someone-else-1")
    assert replayed.status_code == 422 and "该验证码已使用" in replayed.text
    client.cookies.clear()
    login = post(client, "/login", csrf(client.get("/login").text),
                 {"username": person, "password": NEW_PASSWORD}, follow_redirects=False)
    assert login.status_code == 303  # the SSN and the new password


def test_second_activation_resets_the_password(client, sessions, person):
    ask(client, person)
    assert confirm(client, last_code(sessions), follow_redirects=False).status_code == 303
    client.cookies.clear()
    ask(client, person)
    code = last_code(sessions)
    assert confirm(client, code, "another-pass-77", follow_redirects=False).status_code == 303
    with sessions() as db:
        acts = db.execute(select(AuditEvent.act).where(AuditEvent.subject == f"user:{person}")
                          ).scalars().all()
    assert acts == ["auth.create_user", "auth.set_password"]
    again = confirm(client, code, "third-pass-999")
    assert again.status_code == 422 and "请先填写社会保障号码" in again.text


def test_wrong_code_and_the_sixth_attempt(client, sessions, person):
    ask(client, person)
    code = last_code(sessions)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    first = confirm(client, wrong)
    assert first.status_code == 422 and "验证码不正确，还可尝试4次" in first.text
    for _ in range(4):
        reply = confirm(client, wrong)
    assert "已达5次" in reply.text
    sixth = confirm(client, code)
    assert sixth.status_code == 403 and "验证码错误已达5次，请重新获取验证码" in sixth.text
    with sessions() as db:
        assert db.execute(select(User).where(User.username == person)).first() is None


def test_replayed_cookie_does_not_reset_the_count(client, sessions, person):
    ask(client, person)
    code = last_code(sessions)
    saved = dict(client.cookies)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        confirm(client, wrong)
    client.cookies.clear()
    client.cookies.update(saved)  # the session as it was before any attempt
    refused = confirm(client, code)
    assert refused.status_code == 403 and "已达5次" in refused.text


def test_mismatch_never_says_which_part(client, sessions, person):
    wrong_phone = ask(client, person, phone="13900000000")
    unknown = ask(client, citizen_id())
    for reply in (wrong_phone, unknown):
        assert reply.status_code == 422 and "信息不匹配" in reply.text
    assert wrong_phone.text.count("alert") == unknown.text.count("alert")
    with sessions() as db:
        assert db.execute(select(Outbox).where(Outbox.body.contains("验证码"))).first() is None


def test_short_password_expired_token_and_no_token(client, sessions, person, monkeypatch):
    none = confirm(client, "123456")
    assert none.status_code == 422 and "请先填写社会保障号码和手机号码获取验证码" in none.text
    ask(client, person)
    short = confirm(client, last_code(sessions), "short")
    assert short.status_code == 422 and "新密码至少8位" in short.text
    monkeypatch.setattr(rules, "CODE_SECONDS", -1)
    expired = confirm(client, last_code(sessions))
    assert expired.status_code == 422 and "验证码已过期" in expired.text


def test_large_text_toggle_sets_cookie_and_class(client):
    page = client.get("/login").text
    assert 'class="large-text"' not in page and "大字模式" in page
    reply = post(client, "/text-size", csrf(page), {"large": "1", "next": "/activate"},
                 follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/activate"
    assert client.cookies.get("jingban_text") == "large"
    big = client.get("/activate").text
    assert '<html lang="zh-CN" class="large-text">' in big and "标准字号" in big
    back = post(client, "/text-size", csrf(big), {"large": "0", "next": "//evil.example"},
                follow_redirects=False)
    assert back.headers["location"] == "/"
    assert 'class="large-text"' not in client.get("/activate").text


def test_phone_layout_rules_exist(client):
    css = client.get("/static/staff.css").text
    assert "@media (max-width: 720px)" in css and "html.large-text" in css
    assert 'name="viewport" content="width=device-width' in client.get("/activate").text


def test_codes_are_rate_limited(client, person):
    for _ in range(3):
        assert ask(client, person, follow_redirects=False).status_code == 303
    refused = ask(client, person)
    assert refused.status_code == 409 and "过于频繁" in refused.text
