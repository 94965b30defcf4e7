"""Time posting one year of monthly contributions, and the yearly interest run, on PostgreSQL.

    python bench/contributions.py [--size 100000 --size 1000000]

A fresh database per size (created and dropped here) holds a synthetic region from
``jingban.demo.generate`` as of 2024-12-31. The collector sends one file per month: every
active pension enrollment gets a correct row for each month of 2024 it covers. The twelve
files go through ``records.service.import_contributions`` (parse, check, stage by COPY,
INSERT … SELECT) and then ``credit_interest(2024)`` runs. Results go into bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import machine, postgres_reachable, postgres_url  # noqa: E402
from jingban import demo  # noqa: E402
from jingban.core import clock, policy  # noqa: E402
from jingban.core.actor import Actor  # noqa: E402
from jingban.core.config import PROJECT_ROOT, Settings  # noqa: E402
from jingban.core.db import make_engine, make_sessionmaker  # noqa: E402
from jingban.core.migrate import upgrade  # noqa: E402
from jingban.records import service  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
YEAR = 2024
SECTION = "## Contributions and interest (bench/contributions.py)"
HEADER = ["machine", "date", "persons", "rows posted", "import seconds", "rows/s",
          "interest persons", "interest seconds"]
ACTOR = Actor("bench", frozenset({"accountant"}), True, "cli")
console = Console()


def monthly_files(db, region: str) -> list[bytes]:
    """One collector file per month of YEAR (see jingban.demo.collector_file)."""
    return [demo.collector_file(db, region, YEAR * 100 + month) for month in range(1, 13)]


def run_one(url: str, persons: int) -> dict:
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    engine = make_engine(url)
    upgrade(engine)
    console.print(f"生成 {persons:,} 人的合成地区…")
    demo.generate(engine, settings, persons=persons, employers=max(1, persons // 30),
                  as_of=dt.date(YEAR, 12, 31))
    sessions = make_sessionmaker(engine, settings)
    with sessions() as db:
        files = monthly_files(db, settings.region)
    posted, seconds = 0, 0.0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"导入 {persons:,} 人 × 12 个月", total=len(files))
        for month, content in enumerate(files, 1):
            with sessions() as db:
                started = time.perf_counter()
                item = service.import_contributions(db, ACTOR, filename=f"{YEAR}{month:02d}.csv",
                                                    content=content)
                seconds += time.perf_counter() - started
                posted += item.posted
                assert item.rejected == 0, f"{item.rejected} rows rejected in month {month}"
            bar.update(task, advance=1)
    with sessions() as db:
        started = time.perf_counter()
        runs = service.credit_interest(db, ACTOR, YEAR)
        interest_seconds = time.perf_counter() - started
    engine.dispose()
    return {"persons": persons, "posted": posted, "seconds": seconds,
            "interest_persons": sum(r.persons for r, _ in runs),
            "interest_seconds": interest_seconds}


def record(results: list[dict]) -> None:
    """Replace this bench's section of RESULTS.md (rows per machine and size)."""
    host, today = machine(), clock.today().isoformat()
    content = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    head, _, section = content.partition(SECTION)
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("|") and not line.startswith("|---")][1:]
    fresh = {str(r["persons"]) for r in results}
    rows = [r for r in rows if r[0] != host or r[2].replace(",", "") not in fresh]
    for r in results:
        rows.append([host, today, f"{r['persons']:,}", f"{r['posted']:,}", f"{r['seconds']:.1f}",
                     f"{r['posted'] / r['seconds']:,.0f}", f"{r['interest_persons']:,}",
                     f"{r['interest_seconds']:.1f}"])
    rows.sort(key=lambda r: (r[0], int(re.sub(r"\D", "", r[2]))))
    table = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    RESULTS.write_text(
        head.rstrip("\n") + "\n\n" + SECTION + "\n\n"
        "PostgreSQL only. One year (2024) of monthly pension contributions, imported as twelve\n"
        "monthly collector files through `records.service.import_contributions` (parse and\n"
        "format checks in Polars, COPY into a staging table, checks and posting by\n"
        "INSERT … SELECT, account credits included); then `credit_interest(2024)` for every\n"
        "account. Synthetic region from `jingban.demo.generate` (not timed).\n\n"
        + "\n".join(table) + "\n", encoding="utf-8")


def main(size: Annotated[list[int] | None, typer.Option(help="参保人数，可重复")] = None) -> None:
    if not postgres_reachable():
        console.print("[red]PostgreSQL 不可达，无法运行[/]")
        raise typer.Exit(1)
    results = []
    for persons in size or [100_000]:
        with postgres_url() as url:
            results.append(run_one(url, persons))
        r = results[-1]
        console.print(f"{persons:,} 人：入账 {r['posted']:,} 行，{r['seconds']:.1f} 秒；"
                      f"计息 {r['interest_persons']:,} 户，{r['interest_seconds']:.1f} 秒")
    record(results)
    console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
