"""Two real Jingban servers (`jingban serve` in subprocesses on loopback ports, each with its
own SQLite database and signing key, one directory naming both) carry a cross-province
enterprise pension transfer from the person's application to completion; once straight
through, once with the old agency down in the middle (the new one retries until it is back)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from jingban.core import policy
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.core.config import PROJECT_ROOT
from jingban.core.db import make_engine
from jingban.core.migrate import upgrade
from jingban.registration.models import Person
from jingban.transfers.models import TransferMessage
from tests.conftest import PASSWORD
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.transfers.helpers import (
    NEW,
    OLD,
    Side,
    fresh_ssn,
    months,
    moving,
    person,
    write_directory,
)

pytestmark = pytest.mark.xdist_group("transfers-servers")
WAIT_SECONDS = 30
STARTUP_SECONDS = 120  # importing the whole app on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path, region: str):
        self.region, self.port = region, _free_port()
        self.var = tmp / region
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url = f"sqlite:///{self.var / 'jingban.db'}"
        self.process: subprocess.Popen | None = None
        self.var.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(self.db_url)
        upgrade(self.engine)
        info = {"region": region, "calendar_dirs": (PROJECT_ROOT / "policy" / "calendar",)}
        self.side = Side(region, sessionmaker(self.engine, expire_on_commit=False, info=info))

    def start(self, directory: Path) -> None:
        env = {**os.environ, "JINGBAN_DATABASE_URL": self.db_url, "JINGBAN_REGION": self.region,
               "JINGBAN_VAR_DIR": str(self.var), "JINGBAN_AGENCY_DIRECTORY": str(directory),
               "JINGBAN_SECRET_KEY": f"secret-{self.region}", "JINGBAN_PASSWORD_PROFILE": "fast",
               "JINGBAN_TRANSFER_DELIVERY_INTERVAL": "0.2", "JINGBAN_TRANSFER_RETRY_BASE": "0.3",
               "JINGBAN_TRANSFER_RETRY_MAX": "1"}
        env.pop("JINGBAN_SIGNING_KEY", None)
        log = open(self.var / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from jingban.cli import app; app()", "serve",
             "--port", str(self.port)], env=env, stdout=log, stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT)
        until(lambda: self._up(), f"{self.region} 服务未启动：{self.log()}", STARTUP_SECONDS)

    def _up(self) -> bool:
        try:
            return httpx.get(self.url + "/api/v1/transfers/agency", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        return (self.var / "server.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def user(self, username: str, roles: set[str], subject: str | None = None) -> None:
        """Created before the server starts (the test writes its database directly)."""
        with self.side.sessions() as db:
            create_user(db, SYSTEM, username, PASSWORD, roles, formal_staff=True, subject=subject,
                        profile="fast")

    def client_of(self, username: str) -> httpx.Client:
        token = httpx.post(self.url + "/api/v1/auth/token",
                           data={"username": username, "password": PASSWORD}).json()
        return httpx.Client(base_url=self.url + "/api/v1", timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"})


def until(check, message: str, seconds: float = WAIT_SECONDS):
    """Wait for the servers' asynchronous progress (a bounded wait, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    pytest.fail(message)


@pytest.fixture
def regions(tmp_path):
    """Both agencies seeded (the mover, the logins), then started."""
    policy.use((PROJECT_ROOT / "policy",))
    old, new = Server(tmp_path, OLD), Server(tmp_path, NEW)
    ssn = _mover(old, new)
    with new.side.sessions() as db:
        subject = f"person:{db.execute(select(Person.id).where(Person.ssn == ssn)).scalar()}"
    new.user("mover", {"person"}, subject)
    with old.side.sessions() as db:
        mover = f"person:{db.execute(select(Person.id).where(Person.ssn == ssn)).scalar()}"
    old.user("mover", {"person"}, mover)
    new.user("reviewer", {"reviewer_1"})
    for server in (old, new):
        server.user("clerk", {"clerk"})
    directory = write_directory(tmp_path, {OLD: old.url, NEW: new.url})
    for server in (old, new):
        server.start(directory)
    yield old, new, directory, ssn
    for server in (old, new):
        server.stop()
        server.engine.dispose()


def _mover(old: Server, new: Server) -> str:
    ssn = fresh_ssn()
    person(old.side, ssn, history={"pension_enterprise": months(2016, 100)})
    person(new.side, ssn, history={"pension_enterprise": months(2026, 10)},
           enrolled=("pension_enterprise",))
    return ssn


def _apply_on_portal(new: Server, ssn: str) -> httpx.Client:
    """The person applies at the new place; its first-level reviewer approves the case."""
    me = new.client_of("mover")
    reply = me.post("/transfers", json={"ssn": ssn, "kind": "pension_enterprise",
                                        "direction": "in", "peer_region": OLD})
    assert reply.status_code == 201, reply.text
    case = reply.json()
    assert case["item"] == "TRF-PENSION-ENTERPRISE" and case["status"] == "in_review"
    reviewer = new.client_of("reviewer")
    decided = reviewer.post(f"/cases/{case['case_id']}/decisions",
                            json={"level": 1, "decision": "approve", "reason": "材料齐全"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "completed"
    return me


def _one(client: httpx.Client, path: str = "/transfers") -> dict | None:
    found = client.get(path).json()
    return found[0] if found else None


def _at_step(client: httpx.Client, step: str):
    return lambda: (t := _one(client)) is not None and t["step"] == step and t


def _completed(client: httpx.Client):
    return lambda: (t := _one(client)) is not None and t["status"] == "completed" and t


def _check_both_sides(old: Server, new: Server, old_clerk, new_clerk, me, ssn: str) -> None:
    at_new = until(_completed(new_clerk), f"转入地未办结：{new.log()}")
    at_old = until(_completed(old_clerk), f"转出地未办结：{old.log()}")
    assert at_new["ref"] == at_old["ref"]
    # 100 months of 8000.00: account 100 × 640.00, pooled 12 % × 800000.00
    account = moving(6400000)  # with this year's interest up to the transfer month
    for side in (at_new, at_old):
        assert (side["months"], side["account_amount"], side["pooled_amount"]) == (
            100, account, 9600000)
        assert all(step["met"] for step in side["steps"]), side["steps"]
        assert [m["amount"] for m in side["movements"]] == [account + 9600000]
    rights_new = new_clerk.get(f"/persons/{ssn}/rights").json()
    rights_old = old_clerk.get(f"/persons/{ssn}/rights").json()
    years = {y["insurance"]: y["actual_months"] for y in rights_new["contribution_years"]}
    assert years["pension_enterprise"] == 110
    balances_new = {b["scheme"]: b["balance"] for b in rights_new["balances"]}
    balances_old = {b["scheme"]: b["balance"] for b in rights_old["balances"]}
    assert balances_new["pension_enterprise"] == "{}.{:02d}".format(*divmod(account + 640000, 100))
    assert balances_old["pension_enterprise"] == "0.00"
    mine = me.get("/transfers/mine").json()
    assert mine[0]["status"] == "completed" and mine[0]["total_amount"] == account + 9600000


def test_pension_transfer_between_two_running_agencies(regions):
    old, new, _, ssn = regions
    me = _apply_on_portal(new, ssn)
    new_clerk, old_clerk = new.client_of("clerk"), old.client_of("clerk")
    sheet = until(_at_step(new_clerk, "confirmation"), f"信息表未到：{new.log()}{old.log()}")
    assert sheet["total_amount"] == moving(6400000) + 9600000
    assert me.get("/transfers/mine").json()[0]["step"] == "confirmation"
    assert new_clerk.post(f"/transfers/{sheet['id']}/confirm").status_code == 200
    _check_both_sides(old, new, old_clerk, new_clerk, me, ssn)


def test_old_agency_down_in_the_middle_catches_up(regions):
    old, new, directory, ssn = regions
    me = _apply_on_portal(new, ssn)
    new_clerk = new.client_of("clerk")
    sheet = until(_at_step(new_clerk, "confirmation"), f"信息表未到：{new.log()}")
    old.stop()
    assert new_clerk.post(f"/transfers/{sheet['id']}/confirm").status_code == 200

    def retried():
        with new.side.sessions() as db:
            message = db.execute(select(TransferMessage).where(
                TransferMessage.kind == "confirmation")).scalar()
            return message.attempts >= 2 and message.status == "pending" and message

    waiting = until(retried, "转入地没有重试投递")
    assert "无法连接" in waiting.last_error
    assert _one(new_clerk)["step"] == "funds"
    old.start(directory)
    old_clerk = old.client_of("clerk")
    _check_both_sides(old, new, old_clerk, new_clerk, me, ssn)


@pytest.mark.e2e
def test_person_applies_in_the_browser_and_both_portals_show_completion(regions, chromium):
    """The Done-when journey in Chromium: the person applies on the new place's portal, the
    reviewer approves, the clerk confirms the sheet on the page, and the person sees the
    completed transfer on the portals of both agencies."""
    from playwright.sync_api import expect

    old, new, _, ssn = regions
    page = chromium
    _sign_in(page, new.url, "mover")
    page.goto(f"{new.url}/my/transfers")
    page.select_option("#kind", "pension_enterprise")
    page.select_option("#direction", "in")
    page.select_option("#peer_region", OLD)
    page.click("#apply-transfer button[type=submit]")
    expect(page.locator("body")).to_contain_text("已提交转移申请")
    reviewer = new.client_of("reviewer")
    case_id = reviewer.get("/cases/queue").json()[0]["id"]
    reviewer.post(f"/cases/{case_id}/decisions", json={"level": 1, "decision": "approve"})
    sheet = until(_at_step(new.client_of("clerk"), "confirmation"), f"信息表未到：{new.log()}")
    _sign_in(page, new.url, "clerk")
    page.goto(f"{new.url}/transfers/{sheet['id']}")
    page.click("#confirm-sheet")
    expect(page.locator("body")).to_contain_text("已确认信息表")
    until(_completed(old.client_of("clerk")), f"转出地未办结：{old.log()}")
    _sign_in(page, new.url, "mover")
    page.goto(f"{new.url}/my/transfers")
    expect(page.locator("article.transfer")).to_contain_text("已办结")
    yuan, fen = divmod(moving(6400000) + 9600000, 100)  # with this year's interest so far
    expect(page.locator("article.transfer")).to_contain_text(f"{yuan:,}.{fen:02d}")
    expect(page.locator("article.transfer tbody tr")).to_have_count(5)
    expect(page.locator("article.transfer")).not_to_contain_text("逾期")
    _sign_in(page, old.url, "mover")
    page.goto(f"{old.url}/my/transfers")
    expect(page.locator("article.transfer")).to_contain_text("已办结")


@pytest.fixture
def chromium():
    """Debian's Chromium through Playwright (as tests/e2e does)."""
    if not CHROMIUM.exists():
        if os.environ.get("JINGBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"JINGBAN_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist")
        pytest.skip(f"{CHROMIUM} not installed; browser test skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def _sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state("networkidle")
