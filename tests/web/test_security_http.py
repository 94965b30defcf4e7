"""Security headers on every kind of answer, cookie flags (Secure over HTTPS only), CSRF on every
page form, no inline script anywhere in the templates, and 413 for oversized bodies and uploads
(issue 15 item 2 and its bad-input paragraph)."""

import dataclasses
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jingban.api import create_app
from jingban.core.models import AuditEvent
from jingban.registration.models import Employer
from jingban.web import pages
from tests.conftest import employer_body
from tests.web.helpers import csrf, post, sign_in

TEMPLATES = Path(pages.HERE) / "templates"
SHOWN = ("/login", "/", "/api/v1/auth/me", "/static/staff.css", "/nowhere", "/docs",
         "/public/funds", "/openapi.json")


def count(sessions, model) -> int:
    with sessions() as db:
        return db.execute(select(func.count()).select_from(model)).scalar()


@pytest.mark.parametrize("url", SHOWN)
def test_every_answer_carries_the_security_headers(client, url):
    reply = client.get(url, follow_redirects=False)
    csp = reply.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in reply.headers  # plain HTTP here


def _flags(reply) -> set[str]:
    [set_cookie] = reply.headers.get_list("set-cookie")
    assert set_cookie.startswith("jingban_session=")
    return {f.strip().lower() for f in set_cookie.split(";")[1:]}


@pytest.mark.parametrize("base,secure", [("http://testserver", False),
                                         ("https://testserver", True)])
def test_session_cookie_flags(app, make_user, base, secure):
    make_user("cookie_clerk", "clerk")
    with TestClient(app, base_url=base) as browser:
        token = csrf(browser.get("/login").text)
        reply = browser.post("/login", data={"username": "cookie_clerk", "csrf_token": token,
                                             "password": "correct-horse-42"},
                             follow_redirects=False)
        assert reply.status_code == 303
        flags = _flags(reply)
        assert {"httponly", "samesite=lax", "path=/"} <= flags
        assert ("secure" in flags) is secure
        assert ("strict-transport-security" in reply.headers) is secure


def test_docs_page_starts_swagger_from_a_file(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/swagger-init.js" in page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    assert client.get("/static/swagger-init.js").status_code == 200


def test_templates_hold_no_inline_script():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|javascript:|hx-on|\son(?:click|dblclick|load|"
                        r"change|submit|input|error|focus|blur|key\w+|mouse\w+)\s*=", re.I)
    found = [(p.name, m.group(0)) for p in TEMPLATES.rglob("*.html")
             for m in inline.finditer(p.read_text(encoding="utf-8"))]
    assert not found, found


def _page_routes(app):
    for included in app.router.routes:
        inner = getattr(included, "original_router", None)
        if inner is None or included.include_context.include_in_schema:
            continue
        for route in inner.routes:
            if isinstance(route, APIRoute):
                yield route


def _depends_on(dependant, target) -> bool:
    return any(d.call is target or _depends_on(d, target) for d in dependant.dependencies)


def test_every_page_form_post_checks_the_csrf_token(app):
    posts = [r for r in _page_routes(app) if "POST" in r.methods]
    assert len(posts) > 40
    unchecked = [r.path for r in posts if not _depends_on(r.dependant, pages.posted)]
    assert not unchecked, unchecked


def test_forged_csrf_token_is_refused_and_writes_nothing(client, make_user, sessions):
    make_user("csrf_clerk", "clerk")
    sign_in(client, "csrf_clerk")
    before = count(sessions, AuditEvent)
    body = {k: str(v) for k, v in employer_body().items()}
    for token in ("forged-token", ""):
        reply = post(client, "/employers", token, body)
        assert reply.status_code == 403 and "页面已失效或请求来源无法验证" in reply.text
    header = client.post("/employers", data=body, headers={"X-CSRF-Token": "forged"})
    assert header.status_code == 403
    assert count(sessions, Employer) == 0 and count(sessions, AuditEvent) == before


def test_csrf_token_of_another_session_is_refused(client, app, make_user, sessions):
    make_user("csrf_a", "clerk")
    theirs = csrf(TestClient(app).get("/login").text)
    sign_in(client, "csrf_a")
    body = {k: str(v) for k, v in employer_body().items()}
    assert post(client, "/employers", theirs, body).status_code == 403
    assert count(sessions, Employer) == 0


@pytest.fixture
def small(settings, engine, sessions):
    """The app with small limits: 4 KB bodies, 16 KB uploads."""
    tight = dataclasses.replace(settings, max_body_bytes=4096, max_upload_bytes=16384)
    with TestClient(create_app(tight, engine)) as tight_client:
        yield tight_client


def _bearer(client, make_user, name, role) -> dict:
    make_user(name, role)
    reply = client.post("/api/v1/auth/token", data={"username": name,
                                                    "password": "correct-horse-42"})
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def test_oversized_json_body_is_413_and_writes_nothing(small, make_user, sessions):
    clerk = _bearer(small, make_user, "big_clerk", "clerk")
    before = count(sessions, AuditEvent)
    body = employer_body(address="杭州" * 3000)
    reply = small.post("/api/v1/employers", json=body, headers=clerk)
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "http.too_large" and "4KB" in reply.json()["error"][
        "message"]
    assert count(sessions, Employer) == 0 and count(sessions, AuditEvent) == before
    assert small.post("/api/v1/employers", json=employer_body(), headers=clerk).status_code == 201


def test_chunked_body_without_length_is_cut_off(small, make_user, sessions):
    clerk = _bearer(small, make_user, "chunk_clerk", "clerk")

    def chunks():
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 1024
        yield b'"}'

    reply = small.post("/api/v1/employers", content=chunks(),
                       headers={**clerk, "Content-Type": "application/json"})
    assert reply.status_code == 413 and reply.json()["error"]["code"] == "http.too_large"
    assert count(sessions, Employer) == 0


def test_oversized_upload_is_413_on_the_api_and_the_page(small, make_user, sessions):
    accountant = _bearer(small, make_user, "big_accountant", "accountant")
    big = b"record_id,uscc,ssn\n" + b"1,2,3\n" * 5000
    reply = small.post("/api/v1/contributions/imports", files={"file": ("big.csv", big)},
                       headers=accountant)
    assert reply.status_code == 413 and "16KB" in reply.json()["error"]["message"]
    token = sign_in(small, "big_accountant")
    page = small.post("/records/imports", data={"csrf_token": token},
                      files={"file": ("big.csv", big)})
    assert page.status_code == 413 and "请求内容超过允许的大小" in page.text
    assert "content-security-policy" in page.headers


def test_access_log_never_carries_an_ssn_phone_or_account_in_clear(app, caplog):
    """The SSN is in staff URLs (/persons/{ssn}); the access log masks it and the phone or
    account a search was for (secaudit). An assigned SSN and a USCC (public) as well."""
    import logging

    caplog.set_level(logging.INFO, logger="uvicorn.access")
    log = logging.getLogger("uvicorn.access")
    lines = {"/persons/330106199005060012/rights": "/persons/3301**********0012/rights",
             "/search?q=13912345678": "/search?q=1391***5678",
             "/benefits/debts?ssn=USA33010600000012X": "/benefits/debts?ssn=USA3**********012X",
             "/employers/91330106MA0000005J": "/employers/91330106MA0000005J",
             "/api/v1/employers?q=6217000010007654321": "/api/v1/employers?q=6217***********4321"}
    for path in lines:
        log.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
    written = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert written == [f'127.0.0.1:5000 - "GET {masked} HTTP/1.1" 200'
                       for masked in lines.values()]
