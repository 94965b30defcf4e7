"""`jingban init` makes the signing key, `jingban transfers key|deliver`, and the two demo
regions seeded with `jingban demo --transfer-demo` (no server started)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from jingban.cli import app
from jingban.core.db import make_engine
from jingban.records.models import AccountEntry, Contribution
from jingban.transfers import demo


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JINGBAN_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("JINGBAN_PASSWORD_PROFILE", "fast")
    for name in ("JINGBAN_SIGNING_KEY", "JINGBAN_CALENDAR_DIR", "JINGBAN_POLICY_DIR",
                 "JINGBAN_AGENCY_DIRECTORY", "JINGBAN_REGION", "JINGBAN_VAR_DIR"):
        monkeypatch.setenv(name, "")  # recorded, so what `jingban demo` sets is undone after
        monkeypatch.delenv(name)

    def run(*args: str, region: str = "330106"):
        var = tmp_path / region
        monkeypatch.setenv("JINGBAN_VAR_DIR", str(var))
        monkeypatch.setenv("JINGBAN_DATABASE_URL", f"sqlite:///{var / 'jingban.db'}")
        return CliRunner().invoke(app, list(args))

    return run


def test_init_creates_the_signing_key_and_deliver_runs(cli, tmp_path):
    done = cli("init", "--admin-password", "admin-password-42")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "330106" / "transfer-signing.key").exists()
    shown = cli("transfers", "key")
    assert shown.exit_code == 0 and "新生成" not in shown.output
    key = shown.output.split("public_key）：")[1].split()[0]
    assert len(base64.b64decode(key)) == 32
    delivered = cli("transfers", "deliver")
    assert delivered.exit_code == 0 and "没有到期报文" in delivered.output


def _counts(region_dir):
    engine = make_engine(f"sqlite:///{region_dir / 'jingban.db'}")
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(Contribution)).scalar()
        balance = conn.execute(select(func.sum(AccountEntry.amount))).scalar()
    engine.dispose()
    return rows, balance


def test_demo_seeds_the_mover_in_two_regions_once(cli, tmp_path):
    old = cli("demo", "--region", "330106", "--persons", "0", "--no-serve", "--transfer-demo")
    assert old.exit_code == 0, old.output
    assert "2015—2025年企业职工养老保险缴费132个月" in old.output
    new = cli("demo", "--region", "310104", "--persons", "0", "--no-serve", "--transfer-demo",
              region="310104")
    assert new.exit_code == 0, new.output
    assert "2026年1月起在本地新单位参保" in new.output
    assert _counts(tmp_path / "330106") == (132, 132 * 64000)
    assert _counts(tmp_path / "310104") == (0, None)
    again = cli("demo", "--region", "330106", "--persons", "0", "--no-serve", "--transfer-demo")
    assert "已存在，未作改动" in again.output and _counts(tmp_path / "330106")[0] == 132
    assert demo.SSN.startswith("330106")
