"""`jingban claims review --period`: the monthly review from the command line (SQLite file)."""

from __future__ import annotations

from jingban.agreements.claims import demo
from jingban.core import policy
from jingban.core.config import Settings
from jingban.core.db import make_engine, make_sessionmaker
from tests.test_cli import _sql, cli  # noqa: F401


def test_claims_review_from_the_command_line(cli):  # noqa: F811
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    settings = Settings.from_env()
    policy.use(settings.policy_dirs)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine, settings)() as db:
        demo.seed(db)
    engine.dispose()
    _sql("DELETE FROM claim_flag")
    result = cli("claims", "review", "--period", "202610")
    assert result.exit_code == 0, result.output
    assert "结算单 18 张" in result.output and "新发现疑点" in result.output
    flags = _sql("SELECT count(*) FROM claim_flag")[0][0]
    assert flags > 0
    again = cli("claims", "review", "--period", "202610")
    assert "新发现疑点 0 条" in again.output and _sql("SELECT count(*) FROM claim_flag")[0][0] == flags
    empty = cli("claims", "review", "--period", "202601")
    assert empty.exit_code == 2 and "没有上传的结算单" in empty.output
