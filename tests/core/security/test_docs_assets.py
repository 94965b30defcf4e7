"""The API documentation page loads nothing from a third-party origin (issue 15: Swagger UI came
from a CDN without SRI): its scripts, style sheet and icon are the app's own, served from the
pinned swagger-ui-bundle package, each with an SRI hash that matches what is served; the page
keeps the CSP of every other page (no inline script, no other origin); ReDoc, which only comes
from a CDN, is not served; in the browser, Swagger UI renders with no request leaving the app."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from jingban.core import security_http
from jingban.web import pages
from tests.e2e.conftest import serving
from tests.e2e.test_browser import browser, browser_page  # noqa: F401  (fixtures)

STATIC = pages.HERE / "static"

REFERENCE = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"(?:[^>]*?integrity="([^"]+)")?')
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def sri(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


def test_docs_reference_only_their_own_assets_and_they_are_served(client):
    page = client.get("/docs")
    assert page.status_code == 200
    refs = REFERENCE.findall(page.text)
    assert {url.rsplit("/", 1)[1] for url, _ in refs} == {
        "favicon.png", "swagger-ui.css", "swagger-ui-bundle.js", "swagger-init.js"}
    assert "//" not in page.text.replace("<!DOCTYPE html>", "")  # no URL with an origin at all
    for url, integrity in refs:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(TYPES[url[url.rindex("."):]]), url
        if not url.endswith(".png"):
            assert integrity == sri(asset.content), url
    assert b"SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").content


def test_docs_keep_the_strict_csp(client):
    csp = client.get("/docs").headers["content-security-policy"]
    assert csp == client.get("/login").headers["content-security-policy"]
    assert "http" not in csp and "script-src 'self';" in csp


def test_only_the_named_assets_are_served_and_redoc_is_gone(client):
    for path in ("/docs/assets/redoc.standalone.js", "/docs/assets/..%2Fcore.py",
                 "/docs/assets/%2E%2E%2F__init__.py"):
        reply = client.get(path)
        assert reply.status_code == 404, path
    assert "未找到该接口文档文件" in client.get("/docs/assets/nope.js").text
    assert client.get("/redoc").status_code == 404


def small_app() -> FastAPI:
    """An app with three operations and the same docs set-up as Jingban's (whose 240 paths take
    Swagger UI some 15 s to lay out on this machine)."""
    app = FastAPI(title="经办 Jingban")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for n in range(3):
        app.add_api_route(f"/api/v1/thing{n}", lambda: {"ok": True}, summary=f"操作{n}")
    security_http.install(app)
    return app


@pytest.mark.e2e
def test_swagger_ui_renders_without_leaving_the_app(browser_page):  # noqa: F811
    page = browser_page
    origins, errors = set(), []
    page.on("request", lambda r: origins.add(re.match(r"^\w+://[^/]+", r.url).group(0)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serving(small_app()) as server:
        page.goto(f"{server}/docs")
        page.wait_for_selector(".swagger-ui .opblock")
        assert "经办 Jingban" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".swagger-ui .opblock").count() == 3
    assert origins == {server}
    assert errors == []
