"""Real browser (issue 15 item 2): the security headers on the pages Chromium loads, the session
cookie's flags as the browser stores them (HttpOnly, SameSite=Lax; Secure when served over
HTTPS), the CSP refusing an injected inline script while the site's own scripts run, and
sign-out ending the session for a replayed cookie."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import PASSWORD
from tests.e2e.conftest import serving
from tests.e2e.test_browser import _sign_in

HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
           "referrer-policy": "same-origin"}


def _self_signed(tmp_path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_server(app, tmp_path) -> Iterator[str]:
    """The app over HTTPS (a throwaway self-signed certificate)."""
    cert, key = _self_signed(tmp_path)
    with serving(app, ssl_certfile=cert, ssl_keyfile=key) as url:
        yield url


def _page(browser, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    return context, page, violations


def _session_cookie(context) -> dict:
    [cookie] = [c for c in context.cookies() if c["name"] == "jingban_session"]
    return cookie


def _check_headers(response, https: bool) -> None:
    headers = response.headers
    for name, value in HEADERS.items():
        assert headers[name] == value, name
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert ("strict-transport-security" in headers) is https


@pytest.mark.e2e
def test_headers_cookie_and_csp_in_the_browser(server, browser, make_user):
    from playwright.sync_api import expect

    make_user("sec_clerk", "clerk")
    context, page, violations = _page(browser)
    _check_headers(page.goto(f"{server}/login"), https=False)
    _sign_in(page, server, "sec_clerk")
    cookie = _session_cookie(context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax" and cookie["secure"] is False
    assert "jingban_session" not in page.evaluate("document.cookie")  # HttpOnly: not for scripts
    _check_headers(page.goto(f"{server}/persons/new"), https=False)
    page.select_option("#id_type", "foreign")  # the site's own script (staff.js) runs
    expect(page.locator("#non-citizen")).to_be_visible()
    injected = page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.injected = 1'; document.body.appendChild(s);
        return window.injected === 1; }""")
    assert injected is False  # CSP: no inline script runs
    assert any("inline script" in v for v in violations)
    violations.clear()
    page.goto(f"{server}/persons/new")
    page.goto(f"{server}/employers/NOPE")  # the error page's back link needs no inline script
    page.click("text=返回上一页")
    expect(page).to_have_url(re.compile(r"/persons/new$"))
    assert violations == []  # the site's own pages raise no CSP violation
    context.close()


@pytest.mark.e2e
def test_secure_cookie_over_https_and_logout_ends_the_session(tls_server, browser, make_user):
    from playwright.sync_api import expect

    make_user("tls_clerk", "clerk")
    context, page, violations = _page(browser, ignore_https_errors=True)
    _check_headers(page.goto(f"{tls_server}/login"), https=True)
    page.fill("#username", "tls_clerk")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    expect(page.locator(".whoami button")).to_have_text("退出")
    cookie = _session_cookie(context)
    assert cookie["secure"] is True and cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    page.click("button:has-text('退出')")
    expect(page).to_have_url(re.compile(r"/login$"))
    context.add_cookies([cookie])  # the signed-in cookie, replayed after sign-out
    page.goto(f"{tls_server}/persons/new")
    expect(page).to_have_url(re.compile(r"/login\?next=/persons/new$"))
    assert violations == []
    context.close()
