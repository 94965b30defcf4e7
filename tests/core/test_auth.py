import dataclasses

import pytest
from fastapi.testclient import TestClient

from jingban.api import create_app
from jingban.core.rules import role_conflict
from tests.conftest import PASSWORD, error_of


@pytest.mark.parametrize("roles,formal,code", [
    ({"clerk", "reviewer_1"}, False, None),
    ({"reviewer_3"}, True, None),
    ({"reviewer_3"}, False, "role.formal_staff"),
    ({"accountant", "cashier"}, True, "role.accountant_cashier"),
    ({"clerk", "accountant"}, True, "role.incompatible"),
    ({"clerk", "inspector"}, True, "role.incompatible"),
    ({"data_admin", "reviewer_1"}, True, "role.incompatible"),
    ({"sysadmin", "data_admin"}, True, "role.sysadmin"),
    ({"person", "clerk"}, True, "role.portal"),
    ({"wizard"}, True, "role.unknown"),
    (set(), True, "role.empty"),
])
def test_role_combinations(roles, formal, code):
    problem = role_conflict(roles, formal)
    assert (problem[0] if problem else None) == code


def test_forbidden_combination_refused_and_nothing_written(client, login):
    admin = login("sysadmin")
    reply = client.post("/api/v1/users", json={"username": "wang", "password": PASSWORD,
                                               "roles": ["accountant", "cashier"]}, headers=admin)
    assert error_of(reply)["code"] == "role.accountant_cashier"
    reply = client.post("/api/v1/users", json={"username": "wang", "password": PASSWORD,
                                               "roles": ["clerk"]}, headers=admin)
    assert reply.status_code == 201
    reply = client.put("/api/v1/users/wang/roles", json={"roles": ["clerk", "inspector"]},
                       headers=admin)
    assert error_of(reply)["code"] == "role.incompatible"
    reply = client.put("/api/v1/users/wang/roles", json={"roles": ["clerk", "reviewer_1"]},
                       headers=admin)
    assert reply.json()["roles"] == ["clerk", "reviewer_1"]


def test_only_sysadmin_manages_users(client, login):
    reply = client.post("/api/v1/users", json={"username": "x", "password": PASSWORD,
                                               "roles": ["clerk"]}, headers=login("clerk"))
    assert error_of(reply)["code"] == "auth.forbidden"


def test_login_and_bad_password(client, make_user):
    make_user("zhao", "clerk")
    reply = client.post("/api/v1/auth/token", data={"username": "zhao", "password": "wrong-pass"})
    assert error_of(reply)["code"] == "auth.bad_credentials"
    reply = client.post("/api/v1/auth/token", data={"username": "zhao", "password": PASSWORD})
    token = reply.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["roles"] == ["clerk"]


def test_missing_forged_and_expired_tokens(client, make_user, settings, engine):
    assert error_of(client.get("/api/v1/auth/me"))["code"] == "auth.missing_token"
    forged = {"Authorization": "Bearer abc.def.ghi"}
    assert error_of(client.get("/api/v1/auth/me", headers=forged))["code"] == "auth.token_invalid"
    make_user("qian", "clerk")
    token = client.post("/api/v1/auth/token",
                        data={"username": "qian", "password": PASSWORD}).json()["access_token"]
    expired_app = create_app(dataclasses.replace(settings, token_ttl_seconds=-1), engine)
    with TestClient(expired_app) as other:
        reply = other.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401 and error_of(reply)["code"] == "auth.token_expired"


def test_password_is_argon2_hashed(db, make_user):
    from jingban.core.models import User

    make_user("sun", "clerk")
    stored = db.query(User).filter_by(username="sun").one().password_hash
    assert stored.startswith("$argon2") and PASSWORD not in stored


def test_unstorable_input_is_a_clear_error(client, login):
    reply = client.post("/api/v1/auth/token", data={"username": "a\x00b", "password": "whatever1"})
    assert reply.status_code in (401, 422) and error_of(reply)["code"] in (
        "auth.bad_credentials", "db.invalid_value")
    reply = client.post("/api/v1/persons/330106199005061234/enrollments/99999999999/end",
                        json={"end_date": "2026-01-01", "reason": "x"}, headers=login("clerk"))
    assert error_of(reply)["field"] == "enrollment_id"


def test_portal_users_must_be_linked_and_staff_must_not(client, login):
    admin = login("sysadmin")
    reply = client.post("/api/v1/users", json={"username": "p1", "password": PASSWORD,
                                               "roles": ["person"]}, headers=admin)
    assert error_of(reply)["code"] == "user.subject"
    client.post("/api/v1/users", json={"username": "s1", "password": PASSWORD, "roles": ["clerk"]},
                headers=admin)
    reply = client.put("/api/v1/users/s1/roles", json={"roles": ["person"]}, headers=admin)
    assert error_of(reply)["code"] == "user.subject"
