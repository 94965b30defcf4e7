"""The staff menu at 1280 px (issue 5 review): every label stays on one line — a long menu
wraps whole items onto a second row, never "综合查/询" — and each role's menu holds only pages
it may open (the accountant lands on the payroll, not a 403)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.test_browser import browser_page, server  # noqa: F401  (fixtures)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda url: "/login" not in url)


def _line_heights(page) -> list[tuple[str, float, float]]:
    """(label, rendered height, one line's height) of every menu link."""
    return page.eval_on_selector_all(".mainnav a", """links => links.map(a => {
        const style = getComputedStyle(a);
        const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
        return [a.textContent.trim(), a.getBoundingClientRect().height, line];
    })""")


@pytest.mark.e2e
@pytest.mark.parametrize("role", ["clerk", "accountant"])
def test_nav_labels_never_wrap_at_1280(server, browser_page, make_user, backend, role):  # noqa: F811
    page = browser_page
    make_user(f"nav_{role}", role)
    _sign_in(page, server, f"nav_{role}")
    assert page.viewport_size["width"] == 1280
    heights = _line_heights(page)
    assert len(heights) >= (10 if role == "clerk" else 3)
    for label, height, line in heights:
        assert height <= line * 1.2, f"{label} wraps: {height}px for a {line}px line"
    labels = [label for label, _, _ in heights]
    if role == "accountant":
        assert "综合查询" not in labels and page.url.endswith("/benefits/payroll")
        assert page.locator("h1").first.inner_text() != "禁止访问"
