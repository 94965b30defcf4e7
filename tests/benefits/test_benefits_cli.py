"""`jingban benefits payroll|verify|recovery-sweep` on a throwaway SQLite file."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jingban.benefits.common import rules
from jingban.benefits.common.models import Award, Payment
from jingban.benefits.stops.models import SharedFact
from jingban.benefits.verification.models import VerificationHit
from jingban.cli import app
from jingban.core import clock
from jingban.core.config import Settings
from jingban.core.db import make_sessionmaker
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.conftest import citizen_id

runner = CliRunner()


@pytest.fixture
def cli_engine(tmp_path, monkeypatch):
    """An initialised SQLite file the CLI works on; the test adds rows through the engine."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JINGBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("JINGBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'cli.db'}")
    monkeypatch.setenv("JINGBAN_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("JINGBAN_PASSWORD_PROFILE", "fast")
    assert runner.invoke(app, ["init", "--admin-password", "admin-pass-2026"]).exit_code == 0
    engine = create_engine(Settings.from_env().database_url)
    yield engine
    engine.dispose()


def _pensioner(db: Session, birth: dt.date, name: str, **award) -> str:
    ssn = citizen_id(birth)
    person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex="M",
                    birth_date=birth, registered_on=dt.date(2000, 1, 1))
    db.add(person)
    db.flush()
    db.add(Award(person_id=person.id, kind="pension_enterprise", decided_by="t", **award))
    return ssn


def test_cli_payroll_runs_once_and_writes_the_bank_file(cli_engine, tmp_path):
    with Session(cli_engine) as db:
        _pensioner(db, dt.date(1960, 1, 1), "发放甲", start_period=202401, monthly_amount=222694,
                   basic_amount=122694, account_amount=100000, payee_name="发放甲",
                   bank_account="6217000012345678", decided_on=dt.date(2024, 1, 1))
        db.commit()
    today = clock.today()
    period = rules.period_of(today.year, today.month)
    args = ["benefits", "payroll", "--period", str(period), "--out", str(tmp_path / "bank")]
    held = runner.invoke(app, args)
    assert held.exit_code == 2 and "出纳尚未确认" in held.output and "待出纳确认：凭证" in held.output
    assert not (tmp_path / "bank" / f"payroll-{period}.csv").exists()
    with make_sessionmaker(cli_engine, Settings.from_env())() as db:
        assert confirm_payroll(db, period) == 1
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "1 笔" in first.output and "2,226.94" in first.output
    written = (tmp_path / "bank" / f"payroll-{period}.csv").read_bytes()
    assert hashlib.sha256(written).hexdigest() in first.output
    assert "6217000012345678,发放甲,2226.94" in written.decode("utf-8")
    assert runner.invoke(app, args).exit_code == 0
    with Session(cli_engine) as db:
        assert db.execute(select(func.count()).select_from(Payment)).scalar() == 1
    bad = runner.invoke(app, ["benefits", "payroll", "--period", "202713"])
    assert bad.exit_code == 2 and "YYYYMM" in bad.output


def test_cli_verify_matches_once_a_day(cli_engine):
    with Session(cli_engine) as db:
        ssn = _pensioner(db, dt.date(1958, 1, 1), "比对甲", start_period=202001,
                         monthly_amount=300000, decided_on=dt.date(2020, 1, 1))
        db.add(SharedFact(kind="death", ssn=ssn, fact_date=dt.date(2026, 1, 2), source="population",
                          source_ref="cli-1", received_on=dt.date(2026, 1, 3)))
        db.commit()
    first = runner.invoke(app, ["benefits", "verify"])
    assert first.exit_code == 0, first.output
    assert "在发 1 人，新发现疑点 1 条，超过认证周期未确认 1 人" in first.output
    again = runner.invoke(app, ["benefits", "verify"])
    assert again.exit_code == 0 and "未重复比对" in again.output
    with Session(cli_engine) as db:
        assert db.execute(select(func.count()).select_from(VerificationHit)).scalar() == 1
    swept = runner.invoke(app, ["benefits", "recovery-sweep"])
    assert swept.exit_code == 0 and "认定违约 0 笔" in swept.output
