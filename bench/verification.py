"""Time the eligibility matching run (R§26) on PostgreSQL.

    python bench/verification.py [--recipients 1000000 --deaths 100000 --matched 10000]

A fresh database (created and dropped here) gets ``recipients`` persons each with an active
pension award, and ``deaths`` shared death records of which ``matched`` name a recipient (the
rest are people who received no benefit here). Data is generated in SQL (generate_series), not
timed. Timed: ``benefits.verification.run_matching`` as the CLI runs it — one INSERT … SELECT per
fact kind, the recipient count and the count of recipients not confirmed within the interval.
Results go into bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import machine, postgres_reachable, postgres_url, update_section  # noqa: E402
from jingban.benefits.verification import service as verification  # noqa: E402
from jingban.core import clock, policy  # noqa: E402
from jingban.core.actor import Actor  # noqa: E402
from jingban.core.config import PROJECT_ROOT, Settings  # noqa: E402
from jingban.core.db import make_engine, make_sessionmaker  # noqa: E402
from jingban.core.migrate import upgrade  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Eligibility matching run (bench/verification.py)"
HEADER = ["machine", "date", "recipients", "death records", "matched", "hits", "seconds"]
ACTOR = Actor("bench", frozenset({"inspector"}), True, "cli")
console = Console()

PERSONS = """
INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality, household_region,
                    address, phone, status, registered_on)
SELECT 'B' || lpad(i::text, 17, '0'), 'citizen_id', 'B' || lpad(i::text, 17, '0'), '比对' || i, 'M',
       date '1950-01-01' + (i % 5000), 'CHN', '330106', '', '', 'active', date '2000-01-01'
FROM generate_series(1, :n) AS i"""
AWARDS = """
INSERT INTO benefit_award (person_id, kind, status, start_period, monthly_amount, basic_amount,
                           account_amount, breakdown, basis, payee_name, bank_account, decided_on,
                           decided_by, stop_reason, created_at)
SELECT id, 'pension_enterprise', 'active', 202401, 300000, 200000, 100000, '{}', '', '', '',
       date '2023-12-20' + (id % 900), 'bench', '', now() FROM person"""
DEATHS = """
INSERT INTO benefit_shared_fact (kind, ssn, name, fact_date, source, source_ref, received_on)
SELECT 'death',
       CASE WHEN i <= :matched THEN 'B' || lpad((i * (:n / :matched))::text, 17, '0')
            ELSE 'X' || lpad(i::text, 17, '0') END,
       '', date '2026-06-01' - (i % 150), 'population', 'bench-' || i, current_date
FROM generate_series(1, :deaths) AS i"""


def run_one(url: str, recipients: int, deaths: int, matched: int) -> dict:
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    engine = make_engine(url)
    upgrade(engine)
    console.print(f"生成 {recipients:,} 名待遇领取人与 {deaths:,} 条死亡信息（其中 {matched:,} 条为领取人）…")
    params = {"n": recipients, "deaths": deaths, "matched": matched}
    with engine.begin() as conn:
        for statement in (PERSONS, AWARDS, DEATHS):
            conn.execute(text(statement), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    sessions = make_sessionmaker(engine, settings)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar, sessions() as db:
        task = bar.add_task("资格信息比对", total=len(verification.MATCH_KINDS) + 1)
        started = time.perf_counter()
        run = verification.run_matching(db, ACTOR, lambda _kind: bar.update(task, advance=1))
        seconds = time.perf_counter() - started
        hits, found = run.hits, run.recipients
    engine.dispose()
    assert found == recipients, found
    return {"recipients": recipients, "deaths": deaths, "matched": matched, "hits": hits,
            "seconds": seconds}


def record(results: list[dict]) -> None:
    """Replace this bench's section of RESULTS.md, keeping every other section as it is."""
    host, today = machine(), clock.today().isoformat()
    rows = [[host, today, f"{r['recipients']:,}", f"{r['deaths']:,}", f"{r['matched']:,}",
             f"{r['hits']:,}", f"{r['seconds']:.2f}"] for r in results]
    update_section(
        SECTION,
        "PostgreSQL only. Target: 1,000,000 recipients against 100,000 death records in under\n"
        "10 s. Timed: `verification.run_matching` (one INSERT … SELECT per fact kind — death,\n"
        "declared death, imprisonment, release, emigration, loss of nationality — joining\n"
        "awards, persons and shared facts; then the recipient count and the unconfirmed count).\n"
        "Data generated in SQL and analysed before timing; the machine is shared with other\n"
        "work, so the figure is one run, not a best of several.",
        HEADER, rows)



def main(recipients: Annotated[int, typer.Option(help="待遇领取人数")] = 1_000_000,
         deaths: Annotated[int, typer.Option(help="死亡信息条数")] = 100_000,
         matched: Annotated[int, typer.Option(help="其中属于领取人的条数")] = 10_000) -> None:
    if not postgres_reachable():
        console.print("[red]PostgreSQL 不可达，无法运行[/]")
        raise typer.Exit(1)
    with postgres_url() as url:
        result = run_one(url, recipients, deaths, matched)
    console.print(f"{recipients:,} 人 × {deaths:,} 条死亡信息：疑点 {result['hits']:,} 条，"
                  f"{result['seconds']:.2f} 秒")
    record([result])
    console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
