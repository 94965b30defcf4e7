"""`jingban funds report --period YYYYMM --out DIR`: every fund's report as .xlsx and .pdf."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from jingban.core import clock, policy
from jingban.core.config import Settings
from jingban.core.db import make_engine, make_sessionmaker
from jingban.funds.ledger.rules import FUNDS
from tests.funds.test_reports import _books
from tests.test_cli import cli  # noqa: F401 - the CLI fixture


def test_funds_report_writes_every_fund(cli, tmp_path):  # noqa: F811
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    settings = Settings.from_env()
    policy.use(settings.policy_dirs)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine, settings)() as db:
        _books(db)
    engine.dispose()
    with clock.travel("2026-11-05"):
        done = cli("funds", "report", "--period", "202610", "--out", str(tmp_path / "out"))
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())  # the console wraps long lines
    assert "8 个险种" in said and "16 个文件" in said
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(files) == 2 * len(FUNDS)
    sheet = load_workbook(io.BytesIO((tmp_path / "out" / "基金月报-企业职工基本养老保险-202610.xlsx")
                                     .read_bytes())).active
    values = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert float(values["收入合计"]) == 1025.00
    assert (tmp_path / "out" / "基金月报-工伤保险-202610.pdf").read_bytes().startswith(b"%PDF")
    bad = cli("funds", "report", "--period", "202613")
    assert bad.exit_code == 2 and "YYYYMM" in bad.output
