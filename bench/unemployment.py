"""Time the monthly payroll for unemployment benefits (失业保险金) on PostgreSQL.

    python bench/unemployment.py [--size 200000]

A fresh database per size holds ``size`` unemployed persons, each with one active unemployment
award of 2,241.00 a month, loaded by INSERT … SELECT over generate_series (not timed). Timed:
``benefits.payroll.batch.run_payroll`` for one month with the unemployment hooks installed
(jingban.wiring): the payments, and for each one the employee-medical premium the unemployment
fund pays (a contribution row per person, INSERT … SELECT per range) booked to both funds;
then a rerun of the completed month (a no-op). Results go into bench/RESULTS.md.
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
from jingban import wiring  # noqa: E402
from jingban.benefits.common import rules
from jingban.benefits.common.models import Payment  # noqa: E402
from jingban.benefits.payroll import batch  # noqa: E402
from jingban.core import clock, policy  # noqa: E402
from jingban.core.actor import Actor  # noqa: E402
from jingban.core.config import PROJECT_ROOT, Settings  # noqa: E402
from jingban.core.db import make_engine, make_sessionmaker  # noqa: E402
from jingban.core.migrate import upgrade  # noqa: E402
from jingban.records.models import Contribution  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Unemployment payroll with the medical premiums (bench/unemployment.py)"
HEADER = ["machine", "date", "recipients", "payments", "premium rows", "payroll seconds",
          "payments/s", "rerun seconds"]
ACTOR = Actor("bench", frozenset({"accountant"}), True, "cli")
console = Console()

LOAD = [
    """INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality,
       household_region, address, phone, status, registered_on, retirement_category)
       SELECT lpad(i::text, 18, '0'), 'citizen_id', lpad(i::text, 18, '0'), '失业人员' || i, 'M',
              DATE '1985-01-01', 'CHN', '330106', '', '', 'active', DATE '2005-01-01', 'male'
       FROM generate_series(1, :n) AS i""",
    """INSERT INTO benefit_award (person_id, kind, status, start_period, last_period,
       monthly_amount, basic_amount, account_amount, breakdown, basis, payee_name, bank_account,
       decided_on, decided_by, stop_reason, created_at)
       SELECT id, 'unemployment', 'active', 202601, 202712, 224100, 224100, 0,
              '{"inputs": {"months": 24}}', '《社会保险经办条例》第二十四条', name,
              '621700' || lpad(id::text, 13, '0'), DATE '2026-01-10', 'bench', '', now()
       FROM person""",
]


def run_one(url: str, recipients: int) -> dict:
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    wiring.install()  # the premiums ride on the payroll's hooks
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
        premiums = db.execute(select(func.count()).select_from(Contribution).where(
            Contribution.insurance == "medical_employee")).scalar()
        assert premiums == recipients, (premiums, recipients)
    engine.dispose()
    return {"recipients": recipients, "payments": run.payments, "premiums": premiums,
            "seconds": seconds, "rerun": rerun}


def record(results: list[dict]) -> None:
    """Replace this bench's section of RESULTS.md; the sections around it stay as they are."""
    host, today = machine(), clock.today().isoformat()
    rows = [[host, today, f"{r['recipients']:,}", f"{r['payments']:,}", f"{r['premiums']:,}",
             f"{r['seconds']:.1f}", f"{r['payments'] / r['seconds']:,.0f}", f"{r['rerun']:.2f}"]
            for r in results]
    update_section(
        SECTION,
        "PostgreSQL only. `benefits.payroll.batch.run_payroll` for one month of unemployment\n"
        "benefits with jingban.wiring installed: one payment per active award by INSERT … SELECT\n"
        "in person-id ranges, and per range the employee-medical premium the unemployment fund\n"
        "pays (`unemployment.batch.write_premiums`, one contribution row per person), booked to\n"
        "the unemployment and employee-medical funds at the end of the run.\n"
        "`rerun seconds`: the same month again (completed, a no-op). Loading is not timed.",
        HEADER, rows)



def main(size: Annotated[list[int] | None, typer.Option(help="失业保险金领取人数，可重复")] = None) -> None:
    if not postgres_reachable():
        console.print("[red]PostgreSQL 不可达，无法运行[/]")
        raise typer.Exit(1)
    results = []
    for recipients in size or [200_000]:
        with postgres_url() as url:
            results.append(run_one(url, recipients))
        r = results[-1]
        console.print(f"{recipients:,} 人：发放 {r['payments']:,} 笔，{r['seconds']:.1f} 秒；"
                      f"代缴医疗保险费 {r['premiums']:,} 条；重跑 {r['rerun']:.2f} 秒")
    record(results)
    console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
