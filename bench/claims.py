"""Time the monthly claim review (医疗费用审核, issue 13 item 4) on PostgreSQL, set-based.

    python bench/claims.py [--lines 2000000 --institutions 500]

A fresh database (created and dropped here) gets, loaded in SQL and not timed: 300,000 persons
(0.1 % of them recorded dead on the 10th of the month), ``institutions`` hospitals with a price
list of 40 items each, and one month of claims of 20 lines each (``lines`` / 20 claims): three
in five inpatient stays of 3–9 days (a bed charge a day and treatment lines spread over the
stay), the rest outpatient visits; with planted violations of every rule — an item not on the
list (every 997th claim), a price above the list (101st), the same item twice the same day
(211th), a quantity above the daily limit (307th), a stay with only bed charges after the first
day (2005th), a women's examination for a man (503rd) and a children's item for an adult
(509th), services after death, and in every thousand claims one pair of simultaneous stays at
two hospitals, one readmission three days after a discharge and one outpatient visit split in
two claims. Timed: ``claims.service.run_review`` (batch.review_month: three temporary tables,
one INSERT … SELECT per rule), then the same month again (a rerun adds nothing). Results go
into bench/RESULTS.md.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import machine, postgres_reachable, postgres_url, update_section  # noqa: E402
from jingban.agreements.claims import rules, service  # noqa: E402
from jingban.core import clock, policy  # noqa: E402
from jingban.core.actor import Actor  # noqa: E402
from jingban.core.config import PROJECT_ROOT, Settings  # noqa: E402
from jingban.core.db import make_engine, make_sessionmaker  # noqa: E402
from jingban.core.migrate import upgrade  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Claim review (bench/claims.py)"
HEADER = ["machine", "date", "lines", "institutions", "claims", "flags", "seconds", "hits per rule",
          "rerun (s)"]
ACTOR = Actor("bench", frozenset({"reviewer_1"}), True, "cli")
PERIOD, FIRST_DAY, PERSONS = 202610, "2026-10-01", 300_000
console = Console()

PRICES = """INSERT INTO price_item (institution_id, code, name, unit, unit_price_fen, category,
    self_pay_bp, daily_limit, sex_only, min_age, max_age, valid_from)
    SELECT i.id, p.code, p.code, '次', p.price, p.cat, p.bp, p.lim, p.sex, p.lo, p.hi, DATE '2025-01-01'
    FROM service_institution i CROSS JOIN (
      SELECT 'YP' || lpad(n::text, 3, '0') AS code, 1000 + n * 100 AS price,
             CASE WHEN n % 3 = 0 THEN '乙' ELSE '甲' END AS cat,
             CASE WHEN n % 3 = 0 THEN 1000 ELSE 0 END AS bp, 3 AS lim,
             NULL::varchar AS sex, NULL::int AS lo, NULL::int AS hi
      FROM generate_series(1, 30) n
      UNION ALL SELECT 'CW001', 5000, '甲', 0, 1, NULL, NULL, NULL
      UNION ALL SELECT 'ZL001', 2000, '甲', 0, 1, NULL, NULL, NULL
      UNION ALL SELECT 'JC00' || n, 30000, '乙', 2000, 1, NULL, NULL, NULL FROM generate_series(1, 5) n
      UNION ALL SELECT 'FK001', 6000, '甲', 0, 1, '2', NULL, NULL
      UNION ALL SELECT 'ET001', 8000, '甲', 0, 1, NULL, NULL, 14
      UNION ALL SELECT 'LN001', 9000, '甲', 0, 1, NULL, 60, NULL) p"""

CLAIMS = """CREATE TEMPORARY TABLE bench_claim AS
    WITH b AS (
      SELECT k, CASE WHEN k % 1000 IN (1, 4, 11) THEN k - 1 ELSE k END AS pk,
             k % 5 < 3 AS inpatient, 3 + k % 7 AS days
      FROM generate_series(1, :claims) k)
    SELECT k, inpatient, (pk * 7919) % :persons + 1 AS person_id,
           CASE WHEN k % 1000 = 4 THEN (k - 1) % :inst + 1 ELSE k % :inst + 1 END AS institution_id,
           CASE WHEN k % 1000 = 11 THEN (k - 1) % 20 + (3 + (k - 1) % 7) + 3
                WHEN k % 1000 IN (1, 4) THEN (k - 1) % 20 ELSE k % 20 END AS adm,
           CASE WHEN inpatient THEN days ELSE 0 END AS days
    FROM b"""

LOAD = [
    """INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality,
       household_region, address, phone, status, death_date, registered_on)
       SELECT lpad(g::text, 18, '0'), 'citizen_id', lpad(g::text, 18, '0'), '参保人' || g,
              CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, DATE '1940-01-01' + (g % 25000),
              'CHN', '330106', '', '', CASE WHEN g % 1000 = 7 THEN 'dead' ELSE 'active' END,
              CASE WHEN g % 1000 = 7 THEN DATE '2026-10-10' END, DATE '2000-01-01'
       FROM generate_series(1, :persons) g""",
    """INSERT INTO service_institution (uscc, name, kind, level, address, licence_no, status,
       created_at)
       SELECT 'BENCH' || lpad(g::text, 13, '0'), '定点医院' || g, 'medical', '二级', '', '',
              'contracted', now() FROM generate_series(1, :inst) g""",
    PRICES,
    """INSERT INTO claim_upload (institution_id, period, filename, encoding, digest, raw, rows,
       claims, lines, problems, received_by, received_at)
       SELECT id, :period, 'bench.csv', 'utf-8', md5(id::text), '', 0, 0, 0, '[]', 'bench', now()
       FROM service_institution""",
    CLAIMS,
    """INSERT INTO claim (id, upload_id, institution_id, period, claim_no, person_id, fund,
       inpatient, admission_on, discharge_on, diagnosis, total_fen, raw, status, split)
       SELECT c.k, u.id, c.institution_id, :period, 'B' || c.k, c.person_id, 'medical_employee',
              c.inpatient, DATE :first + c.adm, DATE :first + c.adm + c.days, 'J18.9', 0, 'bench',
              'received', ''
       FROM bench_claim c JOIN claim_upload u ON u.institution_id = c.institution_id""",
    """INSERT INTO claim_line (claim_id, line_no, code, service_on, quantity, unit_price_fen,
       amount_fen)
       SELECT k, j, code, DATE :first + adm + day, qty, price, qty * price FROM (
         SELECT c.k, j, c.adm,
           CASE WHEN c.inpatient AND j <= c.days THEN 'CW001'
                WHEN c.k % 997 = 0 AND j = 20 THEN 'XX999'
                WHEN c.k % 503 = 5 AND j = 16 THEN 'FK001'
                WHEN c.k % 509 = 6 AND j = 16 THEN 'ET001'
                WHEN c.k % 211 = 2 AND j = 19 THEN 'YP' || lpad(((c.k + 18) % 30 + 1)::text, 3, '0')
                ELSE 'YP' || lpad(((c.k + j) % 30 + 1)::text, 3, '0') END AS code,
           CASE WHEN NOT c.inpatient THEN 0 WHEN j <= c.days THEN j - 1
                WHEN c.k % 2005 = 1 THEN 0
                WHEN c.k % 211 = 2 AND j = 19 THEN 18 % c.days ELSE j % c.days END AS day,
           CASE WHEN c.inpatient AND j <= c.days THEN 1 WHEN c.k % 307 = 3 AND j = 17 THEN 9
                WHEN (c.k % 503 = 5 OR c.k % 509 = 6) AND j = 16 THEN 1 ELSE j % 3 + 1 END AS qty,
           CASE WHEN c.inpatient AND j <= c.days THEN 5000
                WHEN c.k % 997 = 0 AND j = 20 THEN 4000
                WHEN c.k % 503 = 5 AND j = 16 THEN 6000
                WHEN c.k % 509 = 6 AND j = 16 THEN 8000
                WHEN c.k % 211 = 2 AND j = 19 THEN 1000 + ((c.k + 18) % 30 + 1) * 100
                WHEN c.k % 101 = 1 AND j = 15 THEN 1100 + ((c.k + j) % 30 + 1) * 100
                ELSE 1000 + ((c.k + j) % 30 + 1) * 100 END AS price
         FROM bench_claim c CROSS JOIN generate_series(1, 20) j) x""",
    "UPDATE claim c SET total_fen = s.t FROM (SELECT claim_id, SUM(amount_fen) AS t FROM claim_line "
    "GROUP BY claim_id) s WHERE s.claim_id = c.id",
    "SELECT setval(pg_get_serial_sequence('claim', 'id'), (SELECT MAX(id) FROM claim))",
]


def load(engine, lines: int, institutions: int) -> int:
    params = {"claims": lines // 20, "persons": PERSONS, "inst": institutions, "period": PERIOD,
              "first": FIRST_DAY}
    with engine.begin() as conn:
        for statement in LOAD:
            conn.execute(text(statement.replace("DATE :first", f"DATE '{FIRST_DAY}'")), params)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        return conn.execute(text("SELECT COUNT(*) FROM claim_line")).scalar()


def run_one(url: str, lines: int, institutions: int) -> dict:
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    engine = make_engine(url)
    upgrade(engine)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console) as bar:
        task = bar.add_task(f"载入 {lines:,} 条费用明细（{institutions} 家机构）…")
        stored = load(engine, lines, institutions)
        bar.update(task, description=f"已载入 {stored:,} 条明细；月度审核…")
        sessions = make_sessionmaker(engine, settings)
        with sessions() as db:
            started = time.perf_counter()
            run = service.run_review(db, ACTOR, PERIOD)
            seconds = time.perf_counter() - started
            hits, claims = json.loads(run.hits), run.claims
        bar.update(task, description="重跑同一月份…")
        with sessions() as db:
            started = time.perf_counter()
            again = service.run_review(db, ACTOR, PERIOD)
            rerun = time.perf_counter() - started
            assert sum(json.loads(again.hits).values()) == 0
    engine.dispose()
    return {"lines": stored, "institutions": institutions, "claims": claims, "hits": hits,
            "seconds": seconds, "rerun": rerun}


def record(results: list[dict]) -> None:
    host, today = machine(), clock.today().isoformat()
    rows = [[host, today, f"{r['lines']:,}", f"{r['institutions']:,}", f"{r['claims']:,}",
             f"{sum(r['hits'].values()):,}", f"{r['seconds']:.1f}",
             " / ".join(f"{rule} {r['hits'].get(rule, 0):,}" for rule in rules.RULES),
             f"{r['rerun']:.1f}"] for r in results]
    update_section(
        SECTION,
        "PostgreSQL only. Target: a month of 2,000,000 claim lines from 500 institutions reviewed\n"
        "in under 60 s, set-based. The persons, price lists, claims and planted violations are\n"
        "loaded in SQL and not timed (see the docstring of bench/claims.py). `seconds`:\n"
        "`agreements.claims.service.run_review` — three temporary tables (the month's claims and\n"
        "the same persons' claims near in time, the lines with the price item in force on the\n"
        "service day, all their lines) and one INSERT … SELECT … ON CONFLICT DO NOTHING per rule,\n"
        "committed once. `hits per rule`: flags written (a line may carry several). `rerun`: the\n"
        "same month again, which adds no flag. The `lines` column is the size key of the row.",
        HEADER, [[row[0], row[1], row[2], *row[3:]] for row in rows])


def main(lines: Annotated[int, typer.Option(help="费用明细条数")] = 2_000_000,
         institutions: Annotated[int, typer.Option(help="定点机构数")] = 500) -> None:
    if not postgres_reachable():
        console.print("[red]PostgreSQL 不可达，无法运行[/]")
        raise typer.Exit(1)
    with postgres_url() as url:
        result = run_one(url, lines, institutions)
    console.print(f"{result['lines']:,} 条明细、{result['claims']:,} 张结算单："
                  f"审核 {result['seconds']:.1f} 秒，疑点 {sum(result['hits'].values()):,} 条；"
                  f"重跑 {result['rerun']:.1f} 秒")
    console.print(result["hits"])
    record([result])
    console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
