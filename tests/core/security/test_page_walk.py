"""Every page route of the app (enumerated from its routes, so a new page cannot escape), asked
without a session, with a tampered session cookie, with the cookie of a session that signed out
and with one that went idle: a GET goes back to the login page (at most through one redirect of
its own), a POST is refused, nothing is written. Every API route is in the OpenAPI that
tests/core/security/test_bad_tokens.py walks with bad tokens. The pages that need no sign-in are
named here."""

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from jingban.core.models import AuditEvent
from jingban.web.pages import SESSION_COOKIE
from tests.core.security.test_bad_tokens import operations
from tests.core.security.test_sessions import later  # noqa: F401  (the fixture)
from tests.web.helpers import post, sign_in

PUBLIC = {  # GET pages for everyone: sign-in, activation, the public check, the public lists
    "/login", "/activate", "/activate/confirm", "/verify", "/verify/{code}", "/docs",
    "/docs/assets/{name}",  # sec15: Swagger UI's own files
    "/public/funds", "/public/funds/{year}", "/public/complaints", "/public/dishonesty",
}
SAMPLES = {"kind": "rights"}  # a path value that passes the route's own check
COOKIE = SESSION_COOKIE


def all_routes(router, prefix: str = "", shown: bool = True):
    """(method, path, in the OpenAPI) of every route, through the included routers."""
    for route in router.routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            ctx = route.include_context
            yield from all_routes(inner, prefix + (ctx.prefix or ""),
                                  shown and ctx.include_in_schema)
        elif isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                yield method.lower(), prefix + route.path, shown and route.include_in_schema


def page_routes(app) -> list[tuple[str, str]]:
    return sorted({(m, p) for m, p, _ in all_routes(app.router) if not p.startswith("/api/")})


def _url(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: SAMPLES.get(m.group(1), "1"), path)


@pytest.fixture
def bad_cookies(client, make_user, later):  # noqa: F811
    make_user("page_walker", "clerk")
    cookies = {}
    token = sign_in(client, "page_walker")
    cookies["signed_out"] = client.cookies[COOKIE]
    post(client, "/logout", token, {})
    sign_in(client, "page_walker")
    live = client.cookies[COOKIE]
    cookies["tampered"] = live[:-3] + ("AAA" if live[-3:] != "AAA" else "BBB")
    cookies["idle"] = live
    later(24 * 60)
    client.cookies.clear()
    return {"missing": None, **cookies}


def test_every_api_route_is_in_the_openapi_the_token_walk_reads(app):
    """tests/core/security/test_bad_tokens.py walks the OpenAPI: no API route may hide from it."""
    documented = {(m, p) for m, p, ops in operations(app)}
    api = {(m, p) for m, p, _ in all_routes(app.router) if p.startswith("/api/")}
    assert len(api) > 150 and api - documented == set()


def test_page_routes_are_enumerated(app):
    routes = page_routes(app)
    assert len(routes) > 100 and ("get", "/persons/{pid}") in routes  # sec15
    assert {p for m, p in routes if p in PUBLIC} == PUBLIC


def test_every_page_refuses_a_missing_or_bad_session(client, app, bad_cookies, sessions):
    with sessions() as db:
        events = db.execute(select(func.count()).select_from(AuditEvent)).scalar()
    wrong = []
    for method, path in page_routes(app):
        if method == "get" and path in PUBLIC:
            continue
        for kind, cookie in bad_cookies.items():
            client.cookies.clear()
            if cookie:
                client.cookies.set(COOKIE, cookie)
            reply = client.request(method.upper(), _url(path), follow_redirects=False,
                                   data={"csrf_token": "x"} if method == "post" else None)
            if method == "get" and reply.status_code == 303 and \
                    not reply.headers["location"].startswith("/login"):
                reply = client.get(reply.headers["location"], follow_redirects=False)
            to_login = reply.status_code == 303 and \
                reply.headers["location"].startswith("/login")
            if not (to_login or (method != "get" and reply.status_code in (401, 403))):
                wrong.append((method, path, kind, reply.status_code))
    assert not wrong, "\n".join(map(str, sorted(set(wrong))))
    with sessions() as db:
        assert db.execute(select(func.count()).select_from(AuditEvent)).scalar() == events
