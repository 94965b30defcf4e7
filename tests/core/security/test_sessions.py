"""Sessions (GB/T 22239-2019 8.1.4.1 b): inactivity ends a session; signing out — on the page or
through the API — ends it on the server, so the token it held is refused from then on."""

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.core import clock
from jingban.core import sessions as session_store
from jingban.core.actor import SYSTEM
from jingban.core.auth import set_password
from jingban.core.login_models import LoginSession
from tests.conftest import PASSWORD, error_of
from tests.web.helpers import post, sign_in

ME = "/api/v1/auth/me"


@pytest.fixture
def later(monkeypatch):
    """Move the sessions' wall clock (inactivity is real time, not the business clock)."""
    start = session_store.wall_now()

    def move(minutes: int) -> None:
        monkeypatch.setattr(session_store, "wall_now", lambda: start + dt.timedelta(minutes=minutes))

    return move


def token_for(client, make_user, name: str = "lu") -> dict:
    make_user(name, "clerk")
    reply = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def test_api_logout_revokes_the_token(client, make_user, sessions):
    headers = token_for(client, make_user)
    assert client.get(ME, headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    reply = client.get(ME, headers=headers)
    assert reply.status_code == 401 and error_of(reply)["code"] == "auth.token_revoked"
    assert reply.headers["www-authenticate"] == "Bearer"
    with sessions() as db:
        row = db.execute(select(LoginSession)).scalar_one()
        assert row.end_reason == "logout" and row.channel == "api" and row.address == "testclient"


def test_each_login_is_its_own_session(client, make_user):
    first = token_for(client, make_user)
    reply = client.post("/api/v1/auth/token", data={"username": "lu", "password": PASSWORD})
    second = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    client.post("/api/v1/auth/logout", headers=first)
    assert client.get(ME, headers=second).status_code == 200


def test_idle_session_expires_activity_keeps_it(client, make_user, sessions, later):
    headers = token_for(client, make_user)
    for minutes in (20, 40, 60):  # a request every 20 minutes keeps it alive
        later(minutes)
        assert client.get(ME, headers=headers).status_code == 200
    later(60 + 31)
    reply = client.get(ME, headers=headers)
    assert reply.status_code == 401 and error_of(reply)["code"] == "auth.session_idle"
    assert "30分钟" in error_of(reply)["message"]
    assert error_of(client.get(ME, headers=headers))["code"] == "auth.token_revoked"
    with sessions() as db:
        assert db.execute(select(LoginSession.end_reason)).scalar_one() == "idle"


def test_page_logout_ends_the_server_session(client, make_user):
    make_user("page_lu", "clerk")
    token = sign_in(client, "page_lu")
    stolen = client.cookies.get("jingban_session")
    assert client.get("/", follow_redirects=False).status_code == 200
    assert post(client, "/logout", token, {}, follow_redirects=False).status_code == 303
    client.cookies.set("jingban_session", stolen)  # the old cookie, replayed
    reply = client.get("/", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/login")


def test_idle_page_session_goes_back_to_login(client, make_user, later):
    make_user("page_idle", "clerk")
    sign_in(client, "page_idle")
    later(31)
    reply = client.get("/persons/new", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/login?next=/persons/new"


def test_the_business_clock_moving_does_not_end_a_session(client, make_user):
    headers = token_for(client, make_user, "lu_travel")
    with clock.travel(clock.now() + dt.timedelta(days=90)):  # a test or training run's clock
        assert client.get(ME, headers=headers).status_code == 200


def test_password_change_revokes_older_tokens(client, make_user):
    headers = token_for(client, make_user, "lu_pw")
    reply = client.get(ME, headers=headers)
    assert reply.status_code == 200
    with client.app.state.sessionmaker() as db:
        set_password(db, SYSTEM, "lu_pw", "another-horse-43", "fast")
    assert error_of(client.get(ME, headers=headers))["code"] == "auth.token_invalid"
