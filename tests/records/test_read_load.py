"""load15 (issue 15 item 8): what one staff read costs the database, counted, not timed.

A rights record is a bounded number of statements whatever the person's history, in one
transaction with its 查询留痕 row; the token check is one query; a page's static links are
looked up once per app."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.records.helpers import collector_csv, make_world, pension_row, upload

API = "/api/v1"


@pytest.fixture
def world(sessions):
    return make_world(sessions)


@pytest.fixture
def acct(login):
    return login("accountant")


@pytest.fixture
def counted(engine):
    """Every statement and every commit on the engine while the test runs."""
    seen = {"statements": [], "commits": 0}

    def statement(conn, cursor, text, *args):
        if text.strip() != "BEGIN":  # SQLite's explicit BEGIN (core.db), not a query
            seen["statements"].append(" ".join(text.split()))

    def commit(conn):
        seen["commits"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    yield seen
    event.remove(engine, "before_cursor_execute", statement)
    event.remove(engine, "commit", commit)


def read(client, headers, path, counted) -> dict:
    client.get(path, headers=headers).raise_for_status()  # warm: the session touch, caches
    counted["statements"].clear()
    counted["commits"] = 0
    reply = client.get(path, headers=headers)
    assert reply.status_code == 200, reply.text
    return {"statements": list(counted["statements"]), "commits": counted["commits"]}


def test_rights_read_is_bounded_and_one_transaction(client, acct, world, counted):
    path = f"{API}/persons/{world.employee}/rights"
    short = read(client, acct, path, counted)
    rows = [pension_row(world, f"H{m}", 202400 + (m - 1) % 12 + 1) for m in range(1, 25)]
    assert upload(client, acct, collector_csv(rows)).json()["posted"] == 24
    long = read(client, acct, path, counted)
    assert len(client.get(path, headers=acct).json()["contributions"]) > 0
    assert len(long["statements"]) == len(short["statements"]) <= 10, long["statements"]
    logged = [s for s in long["statements"] if s.startswith("INSERT INTO access_log")]
    assert len(logged) == 1  # 查询留痕 kept
    assert long["commits"] == 1  # the read and its log row: one transaction, one commit


def test_token_check_is_one_query(client, login, world, counted):
    seen = read(client, login("clerk"), f"{API}/persons/{world.employee}", counted)
    sign_in = [s for s in seen["statements"]
               if any(t in s for t in ("FROM user_account", "FROM login_session", "FROM user_role"))]
    assert len(sign_in) == 1, sign_in
    assert len(seen["statements"]) <= 5, seen["statements"]
    assert seen["commits"] == 1


def test_revoked_token_refused_at_once_after_the_one_query_check(client, login, world):
    acct = login("clerk")
    path = f"{API}/persons/{world.employee}"
    assert client.get(path, headers=acct).status_code == 200
    assert client.post(f"{API}/auth/logout", headers=acct).status_code in (200, 204)
    refused = client.get(path, headers=acct)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "auth.token_revoked"


def test_static_links_looked_up_once_per_app(app, client, monkeypatch):
    client.get("/verify/NOSUCHCODE")
    calls = []
    looked_up = app.router.url_path_for

    def spy(name, /, **params):
        calls.append(name)
        return looked_up(name, **params)

    monkeypatch.setattr(app.router, "url_path_for", spy)
    page = client.get("/verify/NOSUCHCODE")
    assert "/static/staff.css" in page.text
    assert calls == []
