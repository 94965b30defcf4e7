"""`jingban dishonesty sweep`: expired listings removed once, a rerun removes nothing."""

from __future__ import annotations

import pytest

from jingban.core import clock, policy
from jingban.core.config import Settings
from jingban.core.db import make_engine, make_sessionmaker
from jingban.oversight.dishonesty.models import DishonestyListing
from tests.oversight.dishonesty.test_lifecycle import listed, person_with_credits
from tests.test_cli import cli  # noqa: F401 - the CLI fixture on a throwaway SQLite file


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def test_sweep_command(cli):  # noqa: F811
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    settings = Settings.from_env()
    policy.use(settings.policy_dirs)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine, settings)() as db:
        entry = listed(db, person_with_credits(db, "fraud"))
        until, entry_id = entry.listed_until, entry.id
    early = cli("dishonesty", "sweep")
    assert early.exit_code == 0 and "本次移出 0" in early.output
    clock.set_clock(until.isoformat())
    done = cli("dishonesty", "sweep")
    assert done.exit_code == 0 and "本次移出 1" in done.output, done.output
    assert "本次移出 0" in cli("dishonesty", "sweep").output
    with make_sessionmaker(engine, settings)() as db:
        assert db.get(DishonestyListing, entry_id).status == "removed"
    engine.dispose()
