"""Time the monthly payroll (待遇发放) on PostgreSQL.

    python bench/payroll.py [--size 1000000 --size 100000]

A fresh database per size (created and dropped here) holds ``size`` recipients, each with one
active pension award, 1 % of them with an open overpayment debt (so the run also takes
deductions) and every one with an account balance (so it also draws the account pension down),
loaded by INSERT … SELECT over generate_series (not timed). Timed:
``benefits.payroll.batch.run_payroll`` for one month — payments in person-id ranges of 50,000 by
INSERT … SELECT, deductions, totals and the bank file's SHA-256 — and then a rerun of the
completed month (a no-op). Results go into bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import machine, postgres_reachable, postgres_url, update_section  # noqa: E402
from jingban.benefits.common import rules
from jingban.benefits.common.models import Payment  # noqa: E402
from jingban.benefits.payroll import batch  # noqa: E402
from jingban.core import clock, policy  # noqa: E402
from jingban.core.actor import Actor  # noqa: E402
from jingban.core.config import PROJECT_ROOT, Settings  # noqa: E402
from jingban.core.db import make_engine, make_sessionmaker  # noqa: E402
from jingban.core.migrate import upgrade  # noqa: E402
from jingban.records.models import AccountEntry  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Monthly payroll (bench/payroll.py)"
HEADER = ["machine", "date", "recipients", "debtors", "payments", "payroll seconds",
          "payments/s", "rerun seconds", "bank file MB"]
ACTOR = Actor("bench", frozenset({"accountant"}), True, "cli")
console = Console()

LOAD = [
    """INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality,
       household_region, address, phone, status, registered_on, retirement_category)
       SELECT lpad(i::text, 18, '0'), 'citizen_id', lpad(i::text, 18, '0'), '领取人' || i, 'M',
              DATE '1960-01-01', 'CHN', '330106', '', '', 'active', DATE '2000-01-01', 'male'
       FROM generate_series(1, :n) AS i""",
    """INSERT INTO benefit_award (person_id, kind, status, start_period, monthly_amount,
       basic_amount, account_amount, breakdown, basis, payee_name, bank_account, decided_on,
       decided_by, stop_reason, created_at)
       SELECT id, 'pension_enterprise', 'active', 202001, 200000 + (id % 5000) * 7,
              120000, 80000 + (id % 5000) * 7, '{}', '《社会保险经办条例》第十八条', name,
              '621700' || lpad(id::text, 13, '0'), DATE '2020-01-01', 'bench', '', now()
       FROM person""",
    """INSERT INTO benefit_debt (person_id, reason, principal, status, ordered_on, due_on,
       source_ref, created_at)
       SELECT id, '死亡后多领待遇', 300000, 'open', DATE '2026-01-01', DATE '2026-02-01',
              'bench', now() FROM person WHERE id % 100 = 0""",
    """INSERT INTO benefit_debt_entry (debt_id, kind, amount, entry_on, reference, recorded_by,
       recorded_at)
       SELECT id, 'order', principal, ordered_on, '', 'bench', now() FROM benefit_debt""",
    # an account balance at retirement, so the run also draws the account pension down
    """INSERT INTO account_entry (person_id, scheme, year, kind, amount, posted_on)
       SELECT id, 'pension_enterprise', 2019, 'contribution', 12000000, DATE '2019-12-31'
       FROM person""",
]


def run_one(url: str, recipients: int) -> dict:
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    engine = make_engine(url)
    upgrade(engine)
    console.print(f"载入 {recipients:,} 名待遇领取人…")
    with engine.begin() as conn:
        for statement in LOAD:
            conn.execute(text(statement), {"n": recipients})
    with engine.begin() as conn:  # after the commit: ANALYZE skips rows still being inserted
        conn.execute(text("ANALYZE"))
    sessions = make_sessionmaker(engine, settings)
    today = clock.today()
    period = rules.period_of(today.year, today.month)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar, sessions() as db:
        task = bar.add_task(f"{period} 发放 {recipients:,} 人", total=None)
        started = time.perf_counter()
        run = batch.run_payroll(db, ACTOR, period, progress=lambda done, total: bar.update(
            task, completed=done, total=total))
        seconds = time.perf_counter() - started
    with sessions() as db:
        started = time.perf_counter()
        again = batch.run_payroll(db, ACTOR, period)
        rerun = time.perf_counter() - started
        assert again.payments == run.payments == recipients, (again.payments, recipients)
        assert db.execute(select(func.count()).select_from(Payment)).scalar() == recipients
        drawn = select(func.count()).select_from(AccountEntry).where(AccountEntry.kind == "payout")
        assert db.execute(drawn).scalar() == recipients
        size = sum(len(part) for part in batch.bank_file(db, ACTOR, period))
    engine.dispose()
    return {"recipients": recipients, "debtors": recipients // 100, "payments": run.payments,
            "seconds": seconds, "rerun": rerun, "megabytes": size / 1e6}


def record(results: list[dict]) -> None:
    """Replace this bench's section of RESULTS.md; the sections around it stay as they are."""
    host, today = machine(), clock.today().isoformat()
    rows = [[host, today, f"{r['recipients']:,}", f"{r['debtors']:,}", f"{r['payments']:,}",
             f"{r['seconds']:.1f}", f"{r['payments'] / r['seconds']:,.0f}", f"{r['rerun']:.2f}",
             f"{r['megabytes']:.1f}"] for r in results]
    update_section(
        SECTION,
        "PostgreSQL only. `benefits.payroll.batch.run_payroll` for one month: one payment per active\n"
        "award by INSERT … SELECT in person-id ranges of 50,000 (one transaction each),\n"
        "recovery deductions for the 1 % of recipients with an open debt (capped at 50 % of\n"
        "the month), the account-pension draw-down from every recipient's individual account,\n"
        "totals, and the SHA-256 of the bank file built from the payments.\n"
        "`rerun seconds`: the same month again (completed, a no-op). Loading the recipients\n"
        "is not timed.",
        HEADER, rows)



def main(size: Annotated[list[int] | None, typer.Option(help="待遇领取人数，可重复")] = None) -> None:
    if not postgres_reachable():
        console.print("[red]PostgreSQL 不可达，无法运行[/]")
        raise typer.Exit(1)
    results = []
    for recipients in size or [1_000_000]:
        with postgres_url() as url:
            results.append(run_one(url, recipients))
        r = results[-1]
        console.print(f"{recipients:,} 人：发放 {r['payments']:,} 笔，{r['seconds']:.1f} 秒；"
                      f"重跑 {r['rerun']:.2f} 秒；银行文件 {r['megabytes']:.1f} MB")
    record(results)
    console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
