"""Password policy (issue 15 item 2): length and classes, not the user name, not a common
password, no demo default outside demo mode — on every set and change, API and CLI paths alike."""

import dataclasses

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jingban.api import create_app
from jingban.core import passwords
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user, set_password
from jingban.core.errors import InvalidInput
from jingban.core.models import User
from tests.conftest import PASSWORD, error_of, person_body


@pytest.mark.parametrize("password,username,code", [
    ("correct-horse-42", "zhang", None),
    ("Tr0ub4dor&3", "zhang", None),
    ("admin-pass-2026", "admin", None),  # the name plus real words is allowed
    ("Ab1-xyz", "zhang", "user.password_short"),  # 7 < 8
    ("alllowercaseletters", "zhang", "user.password_classes"),
    ("lowercase2026", "zhang", "user.password_classes"),  # two classes only
    ("zhangsan@2026", "zhangsan", "user.password_username"),
    ("ZhangSan#2026", "zhangsan", "user.password_username"),  # case does not help
    ("nasgnahz@2026", "zhangsan", "user.password_username"),  # nor reversing it
    ("P@ssw0rd", "zhang", "user.password_common"),
    ("Aa123456!", "zhang", "user.password_common"),
    ("demo-clerk-2026", "clerk", "user.password_default"),
])
def test_rules(sessions, password, username, code):
    found = passwords.problem(password, username)
    assert (found[0] if found else None) == code
    if found:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in found[1])


def test_demo_mode_allows_only_the_demo_default(sessions):
    assert passwords.problem("demo-clerk-2026", "clerk", demo=True) is None
    assert passwords.problem("password", "clerk", demo=True)[0] == "user.password_classes"


def test_common_list_is_small_and_lowercased():
    common = passwords.common_passwords()
    assert 20 < len(common) < 500 and "p@ssw0rd" in common and "admin@123" in common


@pytest.mark.parametrize("password,code", [
    ("short1!", "user.password_short"), ("onlyletters", "user.password_classes"),
    ("wang_li@2026", "user.password_username"), ("qwer1234", "user.password_classes"),
    ("Password123", "user.password_common"), ("demo-wang_li-2026", "user.password_default"),
])
def test_api_refuses_weak_passwords_and_writes_nothing(client, login, db, password, code):
    admin = login("sysadmin")
    reply = client.post("/api/v1/users", json={"username": "wang_li", "password": password,
                                               "roles": ["clerk"]}, headers=admin)
    err = error_of(reply)
    assert reply.status_code == 422 and err["code"] == code and err["field"] == "password"
    assert db.execute(select(func.count()).select_from(User)
                      .where(User.username == "wang_li")).scalar() == 0


def test_every_change_is_checked_too(sessions):
    with sessions() as db:
        create_user(db, SYSTEM, "qian", PASSWORD, {"clerk"}, profile="fast")
        before = db.execute(select(User.password_hash).where(User.username == "qian")).scalar()
        with pytest.raises(InvalidInput) as caught:
            set_password(db, SYSTEM, "qian", "qian2026!", "fast")
        assert caught.value.code == "user.password_username"
        with pytest.raises(InvalidInput):
            set_password(db, SYSTEM, "qian", "demo-qian-2026", "fast")
        db.expire_all()
        assert db.execute(select(User.password_hash).where(User.username == "qian")).scalar() == before


def test_portal_activation_applies_the_policy(client, sessions, login):
    """The portal's own password set (activation) goes through the same check."""
    from tests.accounts.test_activation_api import PHONE, ask, confirm, last_code

    reply = client.post("/api/v1/persons", json=person_body(phone=PHONE), headers=login("clerk"))
    ssn = reply.json()["ssn"]
    ticket = ask(client, ssn).json()["ticket"]
    weak = confirm(client, ticket, last_code(sessions), "abcdefghij")
    assert weak.status_code == 422 and error_of(weak)["code"] == "user.password_classes"
    with sessions() as db:
        assert db.execute(select(User.id).where(User.username == ssn)).first() is None


def test_default_password_refused_at_login_outside_demo_mode(settings, engine, sessions):
    with sessions() as db:
        create_user(db, SYSTEM, "clerk", "demo-clerk-2026", {"clerk"}, profile="fast", demo=True)
    with TestClient(create_app(settings, engine)) as plain:
        reply = plain.post("/api/v1/auth/token",
                           data={"username": "clerk", "password": "demo-clerk-2026"})
        assert reply.status_code == 401 and error_of(reply)["code"] == "auth.default_password"
    demo = dataclasses.replace(settings, demo_mode=True)
    with TestClient(create_app(demo, engine)) as shown:
        reply = shown.post("/api/v1/auth/token",
                           data={"username": "clerk", "password": "demo-clerk-2026"})
        assert reply.status_code == 200, reply.text
