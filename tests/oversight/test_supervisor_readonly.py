"""The supervisor (行政监督, R§47) reaches no write path: every POST/PUT/PATCH/DELETE route of the
app — API and pages, enumerated from app.routes so routes added later are covered — answers a
supervisor's token or session with 403 ``auth.read_only`` and writes nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.core.errors import InvalidInput
from jingban.core.http import SIGN_IN_PATHS, WRITE_METHODS
from jingban.core.models import AuditEvent
from tests.conftest import error_of
from tests.web.helpers import sign_in


def write_routes(app) -> list[tuple[str, str]]:
    """(method, path with every path parameter filled) of every write route."""
    found = []
    for route in iter_route_contexts(app.routes):
        for method in sorted((route.methods or set()) & WRITE_METHODS):
            found.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return found


def test_every_write_route_refuses_the_supervisor(app, client, login, make_user, sessions):
    routes = write_routes(app)
    assert len(routes) > 100, "the route walk found too few write routes"
    exempt = {path for _, path in routes if path in SIGN_IN_PATHS}
    assert exempt == SIGN_IN_PATHS  # only signing in and out is left open
    make_user("sup_pages", "supervisor")
    csrf = sign_in(client, "sup_pages")  # the session now names the supervisor too
    api = login("supervisor")
    with sessions() as db:
        events = db.scalar(select(func.count()).select_from(AuditEvent))
    refused = []
    for method, path in routes:
        if path in SIGN_IN_PATHS:
            continue
        if path.startswith("/api/"):
            reply = client.request(method, path, json={}, headers=api)
        else:
            reply = client.request(method, path, data={"csrf_token": csrf},
                                   headers={"X-CSRF-Token": csrf}, follow_redirects=False)
        code = (reply.json()["error"]["code"] if path.startswith("/api/")
                else ("auth.read_only" if "第四十七条" in reply.text else reply.text[:80]))
        if reply.status_code != 403 or code != "auth.read_only":
            refused.append((method, path, reply.status_code, code))
    assert refused == []
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_the_guard_is_for_the_read_only_role_only(client, login):
    """An inspector's bad request gets its ordinary answer (validation), not the guard's."""
    reply = client.post("/api/v1/oversight/credits", json={}, headers=login("inspector"))
    assert reply.status_code == 422 and error_of(reply)["field"]
    bad_json = client.post("/api/v1/oversight/credits", content=b"{", headers={
        **login("supervisor"), "Content-Type": "application/json"})
    assert bad_json.status_code == 403 and error_of(bad_json)["code"] == "auth.read_only"
    anonymous = client.post("/api/v1/oversight/credits", json={})
    assert anonymous.status_code == 401


def test_supervisor_signs_in_and_reads(client, login):
    headers = login("supervisor")
    assert client.get("/api/v1/oversight/credits", headers=headers).status_code == 200
    assert client.get("/api/v1/cases/dashboard", headers=headers).status_code == 200


def test_supervisor_role_is_never_combined(sessions):
    with sessions() as db, pytest.raises(InvalidInput) as refused:
        create_user(db, SYSTEM, "sup_insp", "correct-horse-42", {"supervisor", "inspector"},
                    profile="fast")
    assert refused.value.code == "role.read_only"
