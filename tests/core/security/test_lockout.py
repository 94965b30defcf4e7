"""Login failure handling (GB/T 22239-2019 8.1.4.1 b): five failures in a row lock the account
(audited), the lock refuses even the right password, runs out after 30 minutes or is lifted by
the sysadmin (API and page, audited); an address with 20 failures is paused (429)."""

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from jingban.core import clock
from jingban.core.login_models import AccountLock, LoginAttempt
from jingban.core.models import AuditEvent
from tests.conftest import PASSWORD, error_of
from tests.web.helpers import csrf, post, sign_in

TOKEN = "/api/v1/auth/token"


def attempt(client, username: str, password: str = "wrong-pass-1"):
    return client.post(TOKEN, data={"username": username, "password": password})


def lock(client, username: str, times: int = 5) -> None:
    for _ in range(times):
        assert error_of(attempt(client, username))["code"] == "auth.bad_credentials"


def acts(sessions, act: str) -> list[AuditEvent]:
    with sessions() as db:
        return db.execute(select(AuditEvent).where(AuditEvent.act == act)).scalars().all()


def test_five_failures_lock_the_account_even_for_the_right_password(client, make_user, sessions):
    make_user("zhou", "clerk")
    lock(client, "zhou", 4)
    assert attempt(client, "zhou", PASSWORD).status_code == 200  # a success resets the count
    lock(client, "zhou", 5)
    reply = attempt(client, "zhou", PASSWORD)
    err = error_of(reply)
    assert reply.status_code == 423 and err["code"] == "auth.locked" and "自动解除" in err["message"]
    [locked] = acts(sessions, "auth.locked")
    assert locked.subject == "user:zhou" and '"failures":5' in locked.after
    with sessions() as db:
        outcomes = db.execute(select(LoginAttempt.outcome).where(LoginAttempt.username == "zhou")
                              .order_by(LoginAttempt.id)).scalars().all()
    assert outcomes == ["bad_credentials"] * 4 + ["ok"] + ["bad_credentials"] * 5 + ["locked"]
    with clock.travel(clock.now() + dt.timedelta(minutes=31)):
        assert attempt(client, "zhou", PASSWORD).status_code == 200  # the lock ran out


def test_failures_outside_the_window_do_not_add_up(client, make_user):
    make_user("wu", "clerk")
    lock(client, "wu", 4)
    with clock.travel(clock.now() + dt.timedelta(minutes=16)):
        lock(client, "wu", 4)
        assert attempt(client, "wu", PASSWORD).status_code == 200


def test_sysadmin_lists_and_unlocks_by_api_others_may_not(client, make_user, login, sessions):
    make_user("zheng", "clerk")
    lock(client, "zheng")
    admin = login("sysadmin")
    listed = client.get("/api/v1/users/locks", headers=admin)
    assert [r["username"] for r in listed.json()] == ["zheng"] and listed.json()[0]["failures"] == 5
    sheet = load_workbook(io.BytesIO(
        client.get("/api/v1/users/locks.xlsx", headers=admin).content)).active
    assert sheet["A1"].value == "用户名" and sheet["A2"].value == "zheng"
    refused = client.post("/api/v1/users/zheng/unlock", json={}, headers=login("clerk"))
    assert refused.status_code == 403 and error_of(refused)["code"] == "auth.forbidden"
    assert client.get("/api/v1/users/locks", headers=login("clerk")).status_code == 403
    done = client.post("/api/v1/users/zheng/unlock", json={"reason": "电话核实本人"}, headers=admin)
    assert done.status_code == 204
    [event] = acts(sessions, "auth.unlocked")
    assert event.subject == "user:zheng" and event.reason == "电话核实本人"
    assert event.actor == "u_sysadmin"
    assert attempt(client, "zheng", PASSWORD).status_code == 200
    again = client.post("/api/v1/users/zheng/unlock", json={}, headers=admin)
    assert again.status_code == 404 and error_of(again)["code"] == "auth.not_locked"
    assert error_of(client.post("/api/v1/users/nobody/unlock", json={}, headers=admin))[
        "code"] == "user.not_found"


def test_unlock_starts_the_count_again(client, make_user, login):
    make_user("feng", "clerk")
    lock(client, "feng")
    client.post("/api/v1/users/feng/unlock", json={}, headers=login("sysadmin"))
    lock(client, "feng", 4)  # four more are not yet a lock
    assert attempt(client, "feng", PASSWORD).status_code == 200


def test_sysadmin_unlocks_on_the_page(client, make_user, sessions):
    make_user("chu", "clerk")
    make_user("root_page", "sysadmin")
    lock(client, "chu")
    token = sign_in(client, "root_page")
    page = client.get("/admin/locks")
    assert page.status_code == 200 and "chu" in page.text and "解除锁定" in page.text
    assert "账号锁定" in page.text  # the sysadmin's menu entry
    xlsx = client.get("/admin/locks.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    forged = post(client, "/admin/locks/chu/unlock", "forged-token", {"reason": "x"})
    assert forged.status_code == 403
    with sessions() as db:
        assert db.execute(select(AccountLock.unlocked_at)).scalar() is None
    reply = post(client, "/admin/locks/chu/unlock", token, {"reason": "现场核实"},
                 follow_redirects=False)
    assert reply.status_code == 303
    assert "当前没有被锁定的账号" in client.get("/admin/locks").text
    [event] = acts(sessions, "auth.unlocked")
    assert event.actor == "root_page" and event.channel == "counter"


def test_locked_account_on_the_login_page(client, make_user):
    make_user("han", "clerk")
    lock(client, "han")
    token = csrf(client.get("/login").text)
    reply = client.post("/login", data={"username": "han", "password": PASSWORD,
                                        "csrf_token": token})
    assert reply.status_code == 423 and "账号已锁定" in reply.text
    assert client.get("/", follow_redirects=False).status_code == 303  # not signed in


def test_an_address_with_many_failures_is_paused(client, make_user):
    make_user("yang", "clerk")
    for n in range(20):  # many names, one address: no account reaches its own limit
        attempt(client, f"guess{n % 5}")
    reply = attempt(client, "yang", PASSWORD)
    assert reply.status_code == 429 and error_of(reply)["code"] == "auth.throttled"
    with clock.travel(clock.now() + dt.timedelta(minutes=16)):
        assert attempt(client, "yang", PASSWORD).status_code == 200
