"""Read load on a region of 1,000,000 persons (issue 15 item 8), on PostgreSQL.

    python bench/load.py [--persons 1000000] [--workers 2] [--users 32] [--seconds 60]

A fresh database (created and dropped here) gets the synthetic region of
``jingban.demo.generate`` as of 2024-01-01 (bulk inserts), a year of monthly contributions
through ``records.service.import_contributions`` (COPY and INSERT … SELECT) and the 2024
yearly statements (the proof codes the verify page checks). Then `jingban serve --workers N`
starts on the loopback, and Locust (headless, bench/locustfile.py) sends think-time free
reads — rights records, person records, the proof-verify page — bounded by --seconds and
--requests. The floor: a bare FastAPI endpoint (``floor_app``) doing one primary-key SELECT
on the same database with the same number of workers, loaded the same way in the same run.
Results go into bench/RESULTS.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JINGBAN_DATA_KEY", "t1:" + "5a" * 32)  # a bench key, never a real one

from bench.generate import PG_URL, machine, postgres_reachable, postgres_url, update_section  # noqa: E402
from jingban.core import clock  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Read load (bench/load.py)"
# persons third: RESULTS.md keeps rows per machine and third column, so a run replaces the rows
# of its own size only (a 100,000 run leaves the 1,000,000 rows); the load average (1 min) at
# the end of each Locust round, since the machine is shared.
HEADER = ["machine", "date", "persons", "target", "workers", "users", "requests", "failures",
          "req/s", "p50 ms", "p95 ms", "p99 ms", "load avg"]
YEAR = 2024
USERNAME, PASSWORD = "load_reader", "Load-reader-2026-x"
console = Console()


def floor_app():
    """The floor: one primary-key SELECT a request, no auth, no logging, no templates."""
    from fastapi import FastAPI
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["JINGBAN_DATABASE_URL"], pool_size=10)
    app = FastAPI()
    query = text("SELECT id, ssn, name FROM person WHERE id = :id")

    @app.get("/floor/{row_id}")
    def one_row(row_id: int):
        with engine.connect() as conn:
            row = conn.execute(query, {"id": row_id}).first()
        return {"id": row.id, "ssn": row.ssn, "name": row.name} if row else {}

    return app


def build(url: str, persons: int, months: int) -> float:
    """The region, a year of contributions, the yearly statements; seconds taken."""
    from bench.contributions import ACTOR
    from jingban import demo
    from jingban.core import policy
    from jingban.core.actor import SYSTEM
    from jingban.core.auth import create_user
    from jingban.core.config import PROJECT_ROOT, Settings
    from jingban.core.db import make_engine, make_sessionmaker
    from jingban.core.migrate import upgrade
    from jingban.records import proofs, service
    from jingban.wiring import install

    install()
    started = time.perf_counter()
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    engine = make_engine(url)
    upgrade(engine)
    console.print(f"生成 {persons:,} 人的合成地区…")
    demo.generate(engine, settings, persons=persons, employers=max(1, persons // 30),
                  as_of=dt.date(YEAR, 1, 1))
    sessions = make_sessionmaker(engine, settings)
    for month in range(1, months + 1):
        with sessions() as db:
            content = demo.collector_file(db, settings.region, YEAR * 100 + month)
            service.import_contributions(db, ACTOR, filename=f"{YEAR}{month:02d}.csv",
                                         content=content)
        console.print(f"  {YEAR} 年 {month} 月缴费已入账")
    with sessions() as db:
        proofs.yearly_statements(db, ACTOR, YEAR)
        create_user(db, SYSTEM, USERNAME, PASSWORD, {"clerk"}, profile="fast")
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def targets(url: str, persons: int, folder: Path) -> Path:
    """A sample of person ids and proof codes for the Locust users."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        ssns = conn.execute(text("SELECT ssn FROM person TABLESAMPLE SYSTEM (5) LIMIT 5000")).scalars()
        ssns = list(ssns) or list(conn.execute(text("SELECT ssn FROM person LIMIT 5000")).scalars())
        codes = list(conn.execute(text("SELECT code FROM proof LIMIT 5000")).scalars())
    engine.dispose()
    random.Random(15).shuffle(ssns)
    path = folder / "targets.json"
    path.write_text(json.dumps({"username": USERNAME, "password": PASSWORD, "persons": persons,
                                "ssns": ssns, "codes": codes}), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict, port: int, probe: str) -> subprocess.Popen:
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # it answered (a 404 is an answer)
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError(f"server on port {port} did not start: {' '.join(command)}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def locust(user: str, port: int, env: dict, users: int, seconds: int, requests: int,
           folder: Path) -> list[dict]:
    """Run Locust headless against the loopback; the stats rows (endpoint and Aggregated)."""
    prefix = folder / user
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                    user, "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                    "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                    "--stop-timeout", "5", "--loglevel", "WARNING"],
                   env={**env, "JINGBAN_LOAD_MAX": str(requests)}, cwd=ROOT, check=False)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["Name"] != "sign in"]


@contextmanager
def kept_url(persons: int) -> Iterator[str]:
    """A database kept between runs (``--keep``): jingban_load_<persons>, created when missing."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"jingban_load_{persons}"
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def built(url: str) -> bool:
    """Whether a kept database already holds a finished region (the reader signs in)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM user_account WHERE username = :u"),
                                {"u": USERNAME}).first() is not None
    except Exception:  # noqa: BLE001 - no tables yet: not built
        return False
    finally:
        engine.dispose()


def run(persons: int, workers: int, users: int, seconds: int, requests: int,
        months: int, keep: bool) -> list[list[str]]:
    rows = []
    database = kept_url(persons) if keep else postgres_url()
    with database as url, tempfile.TemporaryDirectory(prefix="jingban-load-") as tmp:
        folder = Path(tmp)
        if keep and built(url):
            console.print(f"沿用已建的库 jingban_load_{persons}")
        else:
            console.print(f"建库用时 {build(url, persons, months):.0f} 秒")
        env = {**os.environ, "JINGBAN_DATABASE_URL": url, "JINGBAN_SECRET_KEY": "bench-load",
               "JINGBAN_VAR_DIR": str(folder), "JINGBAN_REGION": "330106",
               "JINGBAN_LOAD_TARGETS": str(targets(url, persons, folder)),
               "PYTHONPATH": str(ROOT)}
        plan = [("Reader", [sys.executable, "-c", "from jingban.cli import app; app()", "serve",
                            "--workers", str(workers)],
                 "/verify/none"),
                ("Floor", [sys.executable, "-m", "uvicorn", "bench.load:floor_app", "--factory",
                           "--workers", str(workers), "--no-access-log"], "/floor/1")]
        for user, command, probe in plan:
            port = free_port()
            server = start(command + ["--host", "127.0.0.1", "--port", str(port)], env, port, probe)
            try:
                stats = locust(user, port, env, users, seconds, requests, folder)
                load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() \
                    else "—"
            finally:
                stop(server)
            for s in stats:
                target = "floor: one PK SELECT" if user == "Floor" and s["Name"] == "Aggregated" \
                    else ("all reads" if s["Name"] == "Aggregated" else s["Name"])
                if user == "Floor" and s["Name"] != "Aggregated":
                    continue
                rows.append([machine(), clock.today().isoformat(), f"{persons:,}", target,
                             str(workers), str(users), f"{int(s['Request Count']):,}",
                             s["Failure Count"], f"{float(s['Requests/s']):,.0f}", s["50%"],
                             s["95%"], s["99%"], load])
    return rows


KINDS = {"rights": "/api/v1/persons/{ssn}/rights", "person": "/api/v1/persons/{ssn}",
         "verify": "/verify/{code}"}


def profile(url: str, persons: int, rounds: int) -> None:
    """Each request kind ``rounds`` times in-process under pyinstrument: the app through the
    ASGI transport on one event loop, its sync handlers run inline (not in the thread pool)
    so that the profiler sees them. Milliseconds a request and the heaviest frames."""
    import anyio.to_thread

    async def inline(func, *args, **_):
        return func(*args)

    anyio.to_thread.run_sync = inline
    with tempfile.TemporaryDirectory(prefix="jingban-profile-") as tmp:
        picked = json.loads(targets(url, persons, Path(tmp)).read_text(encoding="utf-8"))
        os.environ.update(JINGBAN_DATABASE_URL=url, JINGBAN_SECRET_KEY="bench-load",
                          JINGBAN_VAR_DIR=tmp, JINGBAN_REGION="330106")
        import asyncio

        asyncio.run(_profile_kinds(picked, rounds))


async def _profile_kinds(picked: dict, rounds: int) -> None:
    import httpx
    from pyinstrument import Profiler

    from jingban.api import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        reply = await client.post("/api/v1/auth/token",
                                  data={"username": USERNAME, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
        for kind, path in KINDS.items():
            paths = [path.format(ssn=picked["ssns"][i % len(picked["ssns"])],
                                 code=picked["codes"][i % len(picked["codes"])])
                     for i in range(rounds + 1)]
            (await client.get(paths[0], headers=headers)).raise_for_status()  # warm
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            started, cpu = time.perf_counter(), time.process_time()
            with profiler:
                for one in paths[1:]:
                    (await client.get(one, headers=headers)).raise_for_status()
            spent = (time.perf_counter() - started) * 1000 / rounds
            used = (time.process_time() - cpu) * 1000 / rounds
            console.rule(f"{kind}: {spent:.2f} ms a request, {used:.2f} ms CPU ({rounds})")
            print(profiler.output_text(unicode=True, color=False, show_all=False,
                                       timeline=False))


def record(rows: list[list[str]]) -> None:
    by_target = {row[3]: row for row in rows}
    app, floor = by_target.get("all reads"), by_target.get("floor: one PK SELECT")
    ratio = ""
    if app and floor:
        share = float(app[8].replace(",", "")) / max(1.0, float(floor[8].replace(",", "")))
        ratio = (f"Ratio of the application's read throughput to the floor's, this run: "
                 f"{share:.2f} (p99 {app[11]} ms against {floor[11]} ms).\n\n")
    update_section(
        SECTION,
        "PostgreSQL only (`python bench/load.py --persons N --workers W --users U --seconds S`).\n"
        "A region of N persons (`demo.generate` as of 2024-01-01), a year (2024) of monthly\n"
        "contributions through `import_contributions`, the 2024 yearly statements; then\n"
        "`jingban serve --workers W` on the loopback and Locust headless (U users, no think\n"
        "time, bounded by S seconds and a request count): a person's rights record (2 in 5),\n"
        "a person's record (2 in 5; both API reads with a staff token, each logged as 查询留痕)\n"
        "and the public proof-verify page (1 in 5). The floor: a bare FastAPI endpoint doing\n"
        "one primary-key SELECT on the same database, same workers, same Locust settings, same\n"
        "run. Locust runs on the same two cores as the server and PostgreSQL, and the machine\n"
        "is shared with the other engineers' work: the figures are a lower bound of what the\n"
        "code does on two dedicated cores. Times in milliseconds.",
        HEADER, rows, trailer=ratio.strip() if ratio else "")


def main(persons: Annotated[int, typer.Option(help="参保人数")] = 1_000_000,
         workers: Annotated[int, typer.Option(help="服务进程数")] = 2,
         users: Annotated[int, typer.Option(help="Locust 并发用户数")] = 32,
         seconds: Annotated[int, typer.Option(help="每轮压测秒数上限")] = 60,
         requests: Annotated[int, typer.Option(help="每轮请求数上限")] = 200_000,
         months: Annotated[int, typer.Option(help="缴费月数（1–12）")] = 12,
         save: Annotated[bool, typer.Option("--save/--no-save", help="写入 RESULTS.md")] = True,
         keep: Annotated[bool, typer.Option("--keep/--no-keep",
                                            help="保留并沿用已建的库（jingban_load_人数）")] = False,
         profile_rounds: Annotated[int, typer.Option(
             "--profile", help="只做进程内剖析：每类请求各若干次（沿用保留的库）")] = 0,
         ) -> None:
    if profile_rounds:
        with kept_url(persons) as url:
            if not built(url):
                build(url, persons, months)
            profile(url, persons, profile_rounds)
        return
    if not postgres_reachable():
        console.print("[red]PostgreSQL 不可达，无法运行[/]")
        raise typer.Exit(1)
    rows = run(persons, workers, users, seconds, requests, months, keep)
    for row in rows:
        console.print(f"{row[3]}：{row[6]} 个请求，失败 {row[7]}，{row[8]} 次/秒，"
                      f"p50 {row[9]} / p95 {row[10]} / p99 {row[11]} 毫秒")
    if save:
        record(rows)
        console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
