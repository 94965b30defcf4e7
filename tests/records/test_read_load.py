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


def test_load_rows_are_kept_per_size(tmp_path, monkeypatch):
    """secfix: bench/load.py's rows in RESULTS.md are kept per machine and size, so a 100,000
    run does not replace the 1,000,000 rows (and the load average goes with each row)."""
    from bench import generate, load

    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\n## Other (bench/other.py)\n\nkept\n", encoding="utf-8")
    monkeypatch.setattr(generate, "RESULTS", results)

    def rows(persons: str, rate: str, floor: str) -> list[list[str]]:
        return [["m", "2026-12-08", persons, target, "2", "32", "100", "0", r, "1", "2", "3", "4.5"]
                for target, r in (("all reads", rate), ("floor: one PK SELECT", floor))]

    load.record(rows("1,000,000", "100", "600"))
    load.record(rows("100,000", "95", "295"))
    text = results.read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("| m |")]
    assert [line.split(" | ")[2] for line in table] == ["100,000", "100,000", "1,000,000", "1,000,000"]
    assert "| load avg |" in text and "## Other (bench/other.py)\n\nkept" in text
    assert "0.32 (p99 3 ms against 3 ms)" in text
