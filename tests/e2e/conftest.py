"""The browser tests' shared fixtures: the app served by uvicorn on a free loopback port (over
HTTP, or HTTPS with a given certificate) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app, **config) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL (https when
    ``ssl_certfile`` is given)."""
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="off", **config))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"{'https' if 'ssl_certfile' in config else 'http'}://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(app) -> Iterator[str]:
    """The app over HTTP; yields its base URL."""
    with serving(app) as url:
        yield url


@pytest.fixture
def browser():
    """Chromium (skipped when not installed, unless JINGBAN_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        if os.environ.get("JINGBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"JINGBAN_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist")
        pytest.skip(f"{CHROMIUM} not installed; browser test skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        yield launched
        launched.close()


@pytest.fixture
def browser_page(browser):
    """One page of a fresh Chromium, 1280×900, zh-CN."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.set_default_timeout(10_000)
    return page
