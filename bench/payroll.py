"""Time the monthly payroll (待遇发放) on PostgreSQL: pensions, unemployment and work injury.

    python bench/payroll.py [--pensioners 1000000] [--unemployed 200000] [--injured 50000]
    python bench/payroll.py --pensioners 0 --unemployed 200000 --injured 0   # unemployment alone
    python bench/payroll.py --pensioners 0 --unemployed 200000 --injured 0 --profile
        # under pyinstrument, with the database time per statement; nothing recorded

A fresh database (created and dropped here) holds the recipients, loaded by INSERT … SELECT
over generate_series (not timed), in person-id order pensioners, then unemployed, then injured:

- each pensioner one active pension award, 1 % of them with an open overpayment debt (the run
  also takes deductions) and every one an account balance (the run draws it down);
- each unemployed person one unemployment award of 2,241.00 a month; the run, with the hooks
  of jingban.wiring installed, writes the employee-medical premium the unemployment fund pays
  for him (a contribution row per person) and books it to both funds;
- of the injured, 70 % a disability allowance (伤残津贴), 20 % a dependant's pension
  (供养亲属抚恤金) and 10 % an allowance and a nursing allowance (生活护理费).

Timed: ``benefits.payroll.batch.run_payroll`` for one month (payments in person-id ranges by
INSERT … SELECT, deductions, draw-down, premiums, totals, booking, the bank file's SHA-256), then
a rerun of the completed month (a no-op). Reported per award kind and in total; the row goes
into bench/RESULTS.md.
"""

from __future__ import annotations

import os
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
from jingban.benefits.common import rules  # noqa: E402
from jingban.benefits.common.models import Award, Payment  # noqa: E402
from jingban.benefits.payroll import batch  # noqa: E402
from jingban.core import clock, policy  # noqa: E402
from jingban.core.actor import Actor  # noqa: E402
from jingban.core.config import PROJECT_ROOT, Settings  # noqa: E402
from jingban.core.db import make_engine, make_sessionmaker  # noqa: E402
from jingban.core.migrate import upgrade  # noqa: E402
from jingban.records.models import AccountEntry, Contribution  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Monthly payroll (bench/payroll.py)"
HEADER = ["machine", "date", "recipients", "pensioners", "unemployed", "injured", "debtors",
          "payments", "premium rows", "payroll seconds", "payments/s", "rerun seconds",
          "bank file MB", "load avg", "payments per kind"]
INTRO = (
    "PostgreSQL only (inj11: pensions, unemployment and work injury in one bench; the former\n"
    "bench/unemployment.py is `--pensioners 0 --unemployed 200000 --injured 0`).\n"
    "`benefits.payroll.batch.run_payroll` for one month with jingban.wiring installed: one\n"
    "payment per award in force by INSERT … SELECT in person-id ranges of 50,000 (one\n"
    "transaction each); recovery deductions for the 1 % of pensioners with an open debt\n"
    "(capped at 50 % of the month); the account-pension draw-down from every pensioner's\n"
    "individual account; per range the employee-medical premium the unemployment fund pays\n"
    "for each unemployed person (a contribution row); the work-injury allowances, nursing\n"
    "allowances and dependants' pensions; totals, the booking to each fund and the SHA-256 of\n"
    "the bank file. `rerun seconds`: the same month again (completed, a no-op). Loading is\n"
    "not timed. `load avg`: the 1-minute load average before and after the timed run (the\n"
    "machine is shared). Goal (issue 11): 1,000,000 + 200,000 + 50,000 under 90 s.")
TRAILER = (
    "inj11, 2026-12-08, full size on this machine while the other helpers' test suites ran:\n"
    "171.6 s (load average 11.7–12.2, observed with `uptime`) and 207.5 s (12.8–13.4).\n"
    "payperf, 2026-12-08, full size once more after the changes below: 229.1 s (load\n"
    "7.9–8.2, the row above; five agents share the 2 cores). **The goal of 90 s is not\n"
    "reached.**\n"
    "\n"
    "Where the time goes (`--profile`: pyinstrument and the database time per statement, load\n"
    "5–10, nothing recorded): 200,000 unemployed 30.3 s and 35.2 s, 200,000 pensioners 28.9 s —\n"
    "the same rate. Python is 5 s of CPU of the 30; the rest is PostgreSQL writing rows. Per\n"
    "200,000 unemployed: the payment INSERT … SELECT 15.3 s (auto_explain of one 50,000 range:\n"
    "1.1 s inserting into the heap and its four indexes, 1.5 s in the three foreign-key\n"
    "triggers, person, award and run, one check per row), the premium INSERT … SELECT 6.8 s,\n"
    "the bank file's SHA-256 in `finish_run` 4–6 s (decoding 200,000 rows in Python; the\n"
    "accounts are sealed columns). Per 200,000 pensioners: payments 10.0 s, the account\n"
    "draw-down INSERT … SELECT 6.5 s. Both paths were already set-based (no per-person loop):\n"
    "the 6,700/s against 24,000/s of the older rows compared another machine and another load,\n"
    "not the paths. Changed: the range counts its payments from the driver's row count instead\n"
    "of fetching 50,000 ids (~1.5 s per 200,000 under the profiler). What would still cut the\n"
    "time is in schema and other modules' files, not done here: fewer foreign keys and indexes\n"
    "on benefit_payment, the premium and draw-down writers counting by row count too, ranges\n"
    "in parallel on the two cores (the run lock serialises them today).")
ACTOR = Actor("bench", frozenset({"accountant"}), True, "cli")
console = Console()

_AWARD = """INSERT INTO benefit_award (person_id, kind, status, start_period, last_period,
       monthly_amount, basic_amount, account_amount, breakdown, basis, payee_name, bank_account,
       decided_on, decided_by, stop_reason, created_at)
       SELECT id, {kind}, 'active', {start}, {last}, {amount}, {basic}, {account}, '{breakdown}',
              '{basis}', name, '621700' || lpad(id::text, 13, '0'), DATE '2020-01-01', 'bench', '',
              now()
       FROM person WHERE {where}"""
PENSIONERS = "id <= :p"
UNEMPLOYED = "id > :p AND id <= :p + :u"
INJURED = "id > :p + :u"
LOAD = [
    """INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality,
       household_region, address, phone, status, registered_on, retirement_category)
       SELECT lpad(i::text, 18, '0'), 'citizen_id', lpad(i::text, 18, '0'), '领取人' || i, 'M',
              CASE WHEN i <= :p THEN DATE '1960-01-01' ELSE DATE '1985-01-01' END, 'CHN', '330106',
              '', '', 'active', DATE '2000-01-01', 'male'
       FROM generate_series(1, :p + :u + :i) AS i""",
    _AWARD.format(kind="'pension_enterprise'", start=202001, last="NULL",
                  amount="200000 + (id % 5000) * 7", basic=120000, account="80000 + (id % 5000) * 7",
                  breakdown="{}", basis="《社会保险经办条例》第十八条", where=PENSIONERS),
    _AWARD.format(kind="'unemployment'", start=":first", last=":last", amount=224100, basic=224100,
                  account=0, breakdown='{"inputs": {"months": 24}}',
                  basis="《社会保险经办条例》第二十四条", where=UNEMPLOYED),
    _AWARD.format(kind="CASE WHEN id % 10 IN (7, 8) THEN 'injury_dependant' ELSE 'injury_allowance' END",
                  start=202001, last="NULL", amount="360000 + (id % 1000) * 3", basic=0, account=0,
                  breakdown="{}", basis="《工伤保险条例》第三十五条、第三十九条", where=INJURED),
    _AWARD.format(kind="'injury_nursing'", start=202001, last="NULL", amount=298000, basic=0,
                  account=0, breakdown="{}", basis="《工伤保险条例》第三十四条",
                  where=INJURED + " AND id % 10 = 9"),
    """INSERT INTO benefit_debt (person_id, reason, principal, status, ordered_on, due_on,
       source_ref, created_at)
       SELECT id, '死亡后多领待遇', 300000, 'open', DATE '2026-01-01', DATE '2026-02-01',
              'bench', now() FROM person WHERE id <= :p AND id % 100 = 0""",
    """INSERT INTO benefit_debt_entry (debt_id, kind, amount, entry_on, reference, recorded_by,
       recorded_at)
       SELECT id, 'order', principal, ordered_on, '', 'bench', now() FROM benefit_debt""",
    # an account balance at retirement, so the run also draws the account pension down
    """INSERT INTO account_entry (person_id, scheme, year, kind, amount, posted_on)
       SELECT id, 'pension_enterprise', 2019, 'contribution', 12000000, DATE '2019-12-31'
       FROM person WHERE id <= :p""",
]


def load(engine, counts: dict, period: int) -> None:
    """The recipients, not timed; the unemployment awards run from 6 months before the month."""
    values = {**counts, "first": rules.shift_period(period, -6), "last": rules.shift_period(period, 17)}
    with engine.begin() as conn:
        for statement in LOAD:
            conn.execute(text(statement), values)
    with engine.begin() as conn:  # after the commit: ANALYZE skips rows still being inserted
        conn.execute(text("ANALYZE"))


def per_kind(db) -> dict[str, int]:
    rows = db.execute(select(Award.kind, func.count()).select_from(Payment)
                      .join(Award, Award.id == Payment.award_id)
                      .group_by(Award.kind).order_by(Award.kind)).all()
    return {kind: int(count) for kind, count in rows}


STATEMENTS: dict[str, list] = {}  # --profile: statement → [count, seconds]


def time_statements(engine) -> None:
    """--profile: the database time of each statement, summed by its text."""
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        spent = time.perf_counter() - conn.info["started"].pop()
        found = STATEMENTS.setdefault(" ".join(statement.split())[:160], [0, 0.0])
        found[0] += 1
        found[1] += spent


def timed_run(sessions, period: int, total: int, profile: bool = False):
    if profile:  # the run under pyinstrument, its heaviest frames printed; nothing recorded
        from pyinstrument import Profiler
        with sessions() as db, Profiler(interval=0.001) as profiler:
            started = time.perf_counter()
            run = batch.run_payroll(db, ACTOR, period)
            seconds = time.perf_counter() - started
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        for statement, (count, spent) in sorted(STATEMENTS.items(), key=lambda i: -i[1][1])[:15]:
            print(f"{spent:8.2f} s {count:5d}×  {statement}")
        return run, seconds
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar, sessions() as db:
        task = bar.add_task(f"{period} 发放 {total:,} 人", total=None)
        started = time.perf_counter()
        run = batch.run_payroll(db, ACTOR, period, progress=lambda done, count: bar.update(
            task, completed=done, total=count))
        return run, time.perf_counter() - started


def check(db, counts: dict, payments: int) -> int:
    """What the run must have written; returns the premium rows."""
    injured = counts["i"]
    expected = counts["p"] + counts["u"] + injured + sum(1 for n in range(injured)
                                                       if (counts["p"] + counts["u"] + 1 + n) % 10 == 9)
    assert payments == expected == db.execute(select(func.count()).select_from(Payment)).scalar(), \
        (payments, expected)
    drawn = select(func.count()).select_from(AccountEntry).where(AccountEntry.kind == "payout")
    assert db.execute(drawn).scalar() == counts["p"]
    premiums = db.execute(select(func.count()).select_from(Contribution).where(
        Contribution.insurance == "medical_employee")).scalar()
    assert premiums == counts["u"], (premiums, counts["u"])
    return premiums


def run_one(url: str, counts: dict, profile: bool = False) -> dict:
    settings = Settings(database_url=url, secret_key="bench", region="330106",
                        policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=())
    policy.use(settings.policy_dirs)
    wiring.install()  # the unemployment premiums ride on the payroll's hooks
    engine = make_engine(url)
    upgrade(engine)
    today = clock.today()
    period = rules.period_of(today.year, today.month)
    total = counts["p"] + counts["u"] + counts["i"]
    console.print(f"载入 {counts['p']:,} 名养老、{counts['u']:,} 名失业、{counts['i']:,} 名工伤待遇领取人…")
    load(engine, counts, period)
    sessions = make_sessionmaker(engine, settings)
    if profile:
        time_statements(engine)
    load_before = os.getloadavg()[0]  # the machine is shared: how busy it was, said with the row
    run, seconds = timed_run(sessions, period, total, profile)
    load_after = os.getloadavg()[0]
    with sessions() as db:
        started = time.perf_counter()
        again = batch.run_payroll(db, ACTOR, period)
        rerun = time.perf_counter() - started
        assert again.payments == run.payments
        premiums = check(db, counts, run.payments)
        kinds = per_kind(db)
        # the lines themselves: with the funds booking wired, the file waits for the cashier
        size = sum(len(part) for part in batch.bank_lines(db, batch.get_run(db, ACTOR, period)))
    engine.dispose()
    return {**counts, "recipients": total, "debtors": counts["p"] // 100, "payments": run.payments,
            "premiums": premiums, "seconds": seconds, "rerun": rerun, "megabytes": size / 1e6,
            "kinds": kinds, "load": f"{load_before:.1f}–{load_after:.1f}"}


def record(result: dict) -> None:
    """Replace this bench's section of RESULTS.md; the sections around it stay as they are."""
    r = result
    kinds = " · ".join(f"{kind} {count:,}" for kind, count in r["kinds"].items())
    row = [machine(), clock.today().isoformat(), f"{r['recipients']:,}", f"{r['p']:,}", f"{r['u']:,}",
           f"{r['i']:,}", f"{r['debtors']:,}", f"{r['payments']:,}", f"{r['premiums']:,}",
           f"{r['seconds']:.1f}", f"{r['payments'] / r['seconds']:,.0f}", f"{r['rerun']:.2f}",
           f"{r['megabytes']:.1f}", r["load"], kinds]
    update_section(
        SECTION,
        INTRO,
        HEADER, [row], TRAILER)


def main(pensioners: Annotated[int, typer.Option(help="养老待遇领取人数")] = 1_000_000,
         unemployed: Annotated[int, typer.Option(help="失业保险金领取人数")] = 200_000,
         injured: Annotated[int, typer.Option(help="工伤保险待遇领取人数")] = 50_000,
         profile: Annotated[bool, typer.Option(help="在 pyinstrument 下运行并打印耗时分布，不写入结果")]
         = False) -> None:
    if not postgres_reachable():
        console.print("[red]PostgreSQL 不可达，无法运行[/]")
        raise typer.Exit(1)
    counts = {"p": pensioners, "u": unemployed, "i": injured}
    if min(counts.values()) < 0 or sum(counts.values()) == 0:
        console.print("[red]人数须为非负整数且不能全为0[/]")
        raise typer.Exit(2)
    with postgres_url() as url:
        r = run_one(url, counts, profile)
    console.print(f"共 {r['recipients']:,} 人：发放 {r['payments']:,} 笔，{r['seconds']:.1f} 秒"
                  f"（{r['payments'] / r['seconds']:,.0f} 笔/秒）；代缴医疗保险费 {r['premiums']:,} 条；"
                  f"重跑 {r['rerun']:.2f} 秒；银行文件 {r['megabytes']:.1f} MB")
    for kind, count in r["kinds"].items():
        console.print(f"  {kind}: {count:,} 笔")
    if profile:
        return
    record(r)
    console.print(f"结果已写入 {RESULTS}")


if __name__ == "__main__":
    typer.run(main)
