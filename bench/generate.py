"""Time the synthetic region generator on SQLite (and PostgreSQL when reachable).

    python bench/generate.py [--size 10000 --size 100000] [--backend sqlite --backend postgresql]

Each run gets a fresh database (a temporary SQLite file, or a PostgreSQL database created
and dropped here). Results go into bench/RESULTS.md: a row per machine, backend and size,
replaced when measured again.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jingban import demo
from jingban.core import policy
from jingban.core.config import PROJECT_ROOT, Settings
from jingban.core.db import make_engine
from jingban.core.migrate import upgrade

RESULTS = Path(__file__).with_name("RESULTS.md")
PG_URL = os.environ.get("JINGBAN_BENCH_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
HEADER = ["machine", "date", "backend", "persons", "employers", "rows", "seconds", "rows/s"]
PERSONS_PER_EMPLOYER = 30
console = Console()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def update_section(title: str, intro: str, header: list[str], fresh: list[list[str]],
                   trailer: str = "") -> None:
    """Replace one bench's section of RESULTS.md, keeping every other section as it is. Rows
    are kept per machine (column 0) and size (column 2); a fresh row replaces its old one."""
    content = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    head, _, rest = content.partition(title)
    cut = rest.find("\n## ")
    section, tail = (rest, "") if cut < 0 else (rest[:cut], rest[cut:].lstrip("\n"))
    old = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines()
           if line.startswith("|") and not line.startswith("|---")][1:]
    replaced = {(row[0], row[2]) for row in fresh}
    rows = [row + ["—"] * (len(header) - len(row)) for row in old
            if (row[0], row[2]) not in replaced] + fresh
    rows.sort(key=lambda row: (row[0], int(re.sub(r"\D", "", row[2]) or 0)))
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    body = title + "\n\n" + intro + "\n\n" + "\n".join(table)
    parts = [head.rstrip("\n"), body] + [part.rstrip("\n") for part in (trailer, tail) if part]
    RESULTS.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="jingban-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_url() -> Iterator[str]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"jingban_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable() -> bool:
    engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means "no server"
        return False
    finally:
        engine.dispose()


def run_one(url: str, persons: int) -> dict:
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    engine = make_engine(url)
    upgrade(engine)
    employers = max(1, persons // PERSONS_PER_EMPLOYER)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"{engine.dialect.name} {persons:,}", total=persons)
        summary = demo.generate(engine, settings, persons=persons, employers=employers,
                                progress=lambda done, _total: bar.update(task, completed=done))
    engine.dispose()
    rows = summary.persons + summary.employers + summary.enrollments + summary.cards
    return {"backend": engine.dialect.name, "persons": persons, "employers": employers,
            "rows": rows, "seconds": summary.seconds}


def _own_and_rest() -> tuple[str, str]:
    """This bench's part of RESULTS.md, and the other benches' sections after it."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    cut = text.find("\n## ")
    return (text, "") if cut < 0 else (text[:cut], text[cut:])


def read_rows() -> list[list[str]]:
    lines = [line for line in _own_and_rest()[0].splitlines()
             if line.startswith("|") and not line.startswith("|---")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


def write_rows(rows: list[list[str]]) -> None:
    rows.sort(key=lambda r: (r[0], r[2], int(r[3].replace(",", ""))))
    table = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    RESULTS.write_text(
        "# Benchmarks\n\n"
        "Written by `python bench/run.py` (`make bench`). `rows` counts every inserted row\n"
        "(employers, persons, enrollments, cards); `seconds` is `jingban.demo.generate` alone\n"
        f"(migrations excluded), {PERSONS_PER_EMPLOYER} persons per employer. "
        "Bulk Core inserts in chunks of 5,000, one transaction.\n\n" + "\n".join(table) + "\n"
        + _own_and_rest()[1], encoding="utf-8")


def record(results: list[dict]) -> None:
    host, today = machine(), dt.date.today().isoformat()
    fresh = {(r["backend"], str(r["persons"])) for r in results}
    rows = [r for r in read_rows() if (r[0] != host or (r[2], r[3].replace(",", "")) not in fresh)]
    for r in results:
        rows.append([host, today, r["backend"], f"{r['persons']:,}", f"{r['employers']:,}",
                     f"{r['rows']:,}", f"{r['seconds']:.1f}", f"{r['rows'] / r['seconds']:,.0f}"])
    write_rows(rows)


def main(size: Annotated[list[int] | None, typer.Option(help="参保人数，可重复")] = None,
         backend: Annotated[list[str] | None, typer.Option(help="sqlite / postgresql")] = None,
         ) -> None:
    sizes = size or [10_000, 100_000]
    backends = backend or ["sqlite", "postgresql"]
    if "postgresql" in backends and not postgres_reachable():
        console.print(f"[yellow]PostgreSQL 不可达（{PG_URL}），跳过[/]")
        backends = [b for b in backends if b != "postgresql"]
    results = []
    for name in backends:
        for persons in sizes:
            with (sqlite_url() if name == "sqlite" else postgres_url()) as url:
                results.append(run_one(url, persons))
            r = results[-1]
            console.print(f"{name} {persons:,}: {r['seconds']:.1f} 秒，"
                          f"{r['rows'] / r['seconds']:,.0f} 行/秒")
    record(results)
    console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
