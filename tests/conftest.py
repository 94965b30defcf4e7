"""Test fixtures. The whole suite runs once on SQLite and once on PostgreSQL.

PostgreSQL: JINGBAN_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
Each run creates its own database and drops it afterwards. Without a server the
PostgreSQL half is skipped with a visible reason, unless JINGBAN_REQUIRE_PG=1.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jingban.api import create_app
from jingban.core import clock, ids, policy
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.core.config import PROJECT_ROOT, Settings
from jingban.core.db import make_engine, make_sessionmaker
from jingban.core.migrate import upgrade
from jingban.models import metadata
from jingban.wiring import install as install_wiring

install_wiring()  # tests that call services directly need the areas' acts, as the app has them

PG_ADMIN_URL = os.environ.get(
    "JINGBAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REGION = "330106"
# The suite lives on a fixed day (SPEC §13 deadlines, ages, the year of a statement),
# never the machine's: a Tuesday inside the published 2026 calendar.
DEFAULT_TODAY = "2026-11-24"
PASSWORD = "correct-horse-42"
# secdata: one data key for the test process and the servers it starts (they share databases)
os.environ.setdefault("JINGBAN_DATA_KEY", "t1:" + "5a" * 32)


def pytest_addoption(parser):
    parser.addoption("--today", default=os.environ.get("JINGBAN_TEST_TODAY", DEFAULT_TODAY),
                     help="the date (or ISO datetime, Asia/Shanghai) the suite runs on")


def pytest_configure(config):
    """Set the clock before any test runs; the environment carries it to servers we start."""
    today = config.getoption("--today")
    os.environ[clock.ENV] = today
    clock.set_clock(today)


def pytest_report_header(config):
    return f"jingban clock: {clock.today().isoformat()} (--today / JINGBAN_TEST_TODAY)"


def _pg_database():
    """Create a throwaway PostgreSQL database; yield its URL; drop it."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        admin.dispose()
        if os.environ.get("JINGBAN_REQUIRE_PG") == "1":
            pytest.fail(f"JINGBAN_REQUIRE_PG=1 but PostgreSQL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}; PostgreSQL half skipped")
    name = f"jingban_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'jingban.db'}"
    else:
        yield from _pg_database()


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def backend(engine) -> str:
    return engine.dialect.name


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url, secret_key="test-secret-key", region=REGION,
        policy_dirs=(PROJECT_ROOT / "policy",),
        calendar_dirs=(tmp_path / "calendar", PROJECT_ROOT / "policy" / "calendar"),
        token_ttl_seconds=3600, password_profile="fast")


def _wipe(engine) -> None:
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def sessions(engine, settings):
    policy.use(settings.policy_dirs)
    yield make_sessionmaker(engine, settings)
    _wipe(engine)


@pytest.fixture
def db(sessions):
    session = sessions()
    yield session
    session.close()


@pytest.fixture
def app(settings, engine, sessions):
    return create_app(settings, engine)


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_user(sessions):
    """Create a staff user with the given roles; returns the username."""

    def make(username: str, *roles: str, formal_staff: bool = True) -> str:
        with sessions() as session:
            create_user(session, SYSTEM, username, PASSWORD, set(roles),
                        formal_staff=formal_staff, profile="fast")
        return username

    return make


@pytest.fixture
def login(client, make_user):
    """Bearer headers for a new user holding ``roles`` (one user per distinct role set)."""
    made: dict[tuple[str, ...], dict] = {}

    def headers(*roles: str) -> dict:
        key = tuple(sorted(roles))
        if key not in made:
            username = make_user("u_" + "_".join(key), *roles)
            reply = client.post("/api/v1/auth/token",
                                data={"username": username, "password": PASSWORD})
            assert reply.status_code == 200, reply.text
            made[key] = {"Authorization": f"Bearer {reply.json()['access_token']}"}
        return made[key]

    return headers


_seq = itertools.count(1)


def citizen_id(birth: dt.date = dt.date(1990, 5, 6), area: str = REGION) -> str:
    """A fresh valid citizen ID (a new sequence number each call)."""
    return ids.make_citizen_id(area, birth, next(_seq))


def citizen_id_of(sex: str, birth: dt.date = dt.date(1990, 5, 6)) -> str:
    """A fresh valid citizen ID of a man ("M", odd 17th digit) or a woman ("F")."""
    return ids.make_citizen_id(REGION, birth, 2 * next(_seq) + (sex == "M"))


def uscc() -> str:
    n = next(_seq)
    return ids.make_uscc("9", "1", REGION, f"MA{n:07d}")


def employer_body(**overrides) -> dict:
    body = {"uscc": uscc(), "name": f"杭州测试科技有限公司{next(_seq)}", "kind": "enterprise",
            "region": REGION, "address": "杭州市西湖区文三路1号", "legal_rep": "张三",
            "industry_code": "I65", "injury_risk_class": 1}
    body.update(overrides)
    return body


def person_body(**overrides) -> dict:
    body = {"id_type": "citizen_id", "id_number": citizen_id(), "name": "李四",
            "household_region": REGION, "address": "杭州市西湖区", "phone": "13800000000"}
    body.update(overrides)
    return body


def error_of(reply) -> dict:
    """The error object of a refused request; also checks the documented shape."""
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.text)
    err = reply.json()["error"]
    assert set(err) == {"code", "message", "field"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err
    return err


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT
