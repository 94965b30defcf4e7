"""`jingban funds …` on a throwaway SQLite file: the month-end sweep (progress bar, idempotent),
the back-fill and the trial balance."""

from __future__ import annotations

from jingban.core import clock, policy
from jingban.core.actor import Actor
from jingban.core.config import Settings
from jingban.core.db import make_engine, make_sessionmaker
from jingban.funds.ledger import service as ledger
from tests.test_cli import _sql, cli  # noqa: F401 - the CLI fixture

ACC = Actor("acc", frozenset({"accountant"}), True, "test")


def _contributions(amounts: dict[str, int]) -> None:
    settings = Settings.from_env()
    policy.use(settings.policy_dirs)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, settings)() as db, clock.travel("2026-10-20"):
            for fund, fen in amounts.items():
                ledger.book_contribution(db, ACC, fund, fen, f"contribution:cli:{fund}", "征收划入")
    finally:
        engine.dispose()


def test_sweep_backfill_and_trial_balance(cli):  # noqa: F811
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    _contributions({"pension_enterprise": 123456, "unemployment": 789})
    with clock.travel("2026-11-03"):
        first = cli("funds", "sweep", "--period", "202610")
        assert first.exit_code == 0, first.output
        assert "企业职工基本养老保险：归集 1,234.56 元" in first.output
        assert "本次归集 2 个基金" in first.output
        again = cli("funds", "sweep", "--period", "202610")
        assert again.exit_code == 0 and "本次归集 0 个基金" in again.output
        assert _sql("SELECT count(*) FROM fund_entry WHERE kind = 'sweep'") == [(2,)]
        assert _sql("SELECT period, entry_on FROM fund_entry WHERE kind = 'sweep' LIMIT 1")[0][0] == 202610
        future = cli("funds", "sweep", "--period", "202612")
        assert future.exit_code == 2 and "尚未开始" in future.output
        bad = cli("funds", "sweep", "--period", "202613")
        assert bad.exit_code == 2 and "YYYYMM" in bad.output
        balance = cli("funds", "trial-balance", "--fund", "pension_enterprise", "--period", "202610")
        assert balance.exit_code == 0 and "借贷平衡" in balance.output and "1,234.56" in balance.output
        unknown = cli("funds", "trial-balance", "--fund", "nofund", "--period", "202610")
        assert unknown.exit_code == 2 and "未知的险种基金" in unknown.output
        filled = cli("funds", "backfill")
        assert filled.exit_code == 0 and "补记完成" in filled.output
    assert cli("audit", "verify").exit_code == 0
