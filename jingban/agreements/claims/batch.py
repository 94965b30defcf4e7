"""The monthly claim review, set-based (Z-6): SQL over the stored lines, one statement per rule,
never a Python loop per line. Gives the same flags as the pure rules in ``rules.py`` (a test
compares them) and runs on SQLite and PostgreSQL alike.

Idempotent: a flag is unique per (line, rule), so a rerun adds only what is new (a claim
uploaded late at another institution may make a simultaneous stay visible); settled claims are
never flagged again. Three temporary tables carry the run: ``rv_claim`` (this month's claims and
the same persons' earlier or later claims near in time), ``rv_line`` (this month's lines with the
price item in force on the service day) and ``rv_all`` (the lines of every claim in rv_claim,
for split charging across claims).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from jingban.agreements.claims import rules
from jingban.agreements.claims.models import ClaimReviewRun
from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.db import analyze, is_postgres

TEMP = ("rv_claim", "rv_line", "rv_all")


def _minus_days(db: Session, column: str, days: str) -> str:
    if is_postgres(db):
        return f"({column} - CAST({days} AS INTEGER))"
    return f"date({column}, '-' || {days} || ' days')"


def _age(db: Session, birth: str, day: str) -> str:
    """Full years between two dates, as an integer expression."""
    if is_postgres(db):
        return f"CAST(date_part('year', age({day}, {birth})) AS INTEGER)"
    ymd = "CAST(strftime('%Y%m%d', {}) AS INTEGER)"
    return f"(({ymd.format(day)} - {ymd.format(birth)}) / 10000)"


def _bed(prefixes: tuple[str, ...], column: str = "code") -> str:
    if not prefixes or not all(p.isalnum() for p in prefixes):
        raise ValueError("bed code prefixes must be letters and digits")
    return "(" + " OR ".join(f"{column} LIKE '{p}%'" for p in prefixes) + ")"


def _prepare(db: Session, period: int, params: rules.Params) -> None:
    p = int(period)  # inlined: PostgreSQL binds no parameters in CREATE TABLE AS
    for name in TEMP:
        db.execute(text(f"DROP TABLE IF EXISTS {name}"))
    first = _minus_days(db, f"(SELECT MIN(admission_on) FROM claim WHERE period = {p})",
                        str(params.readmission_days + 1))
    db.execute(text(f"""
        CREATE TEMPORARY TABLE rv_claim AS
        SELECT c.id, c.institution_id, c.person_id, c.inpatient, c.admission_on, c.discharge_on,
               CASE WHEN c.period = {p} AND c.status <> 'settled' THEN 1 ELSE 0 END AS mine
        FROM claim c
        WHERE c.period = {p}
           OR (c.person_id IN (SELECT person_id FROM claim WHERE period = {p})
               AND c.discharge_on >= {first}
               AND c.admission_on <= (SELECT MAX(discharge_on) FROM claim WHERE period = {p}))"""))
    db.execute(text("""
        CREATE TEMPORARY TABLE rv_all AS
        SELECT l.id AS line_id, l.claim_id, c.person_id, c.institution_id, l.code, l.service_on,
               c.mine
        FROM claim_line l JOIN rv_claim c ON c.id = l.claim_id"""))
    db.execute(text("""
        CREATE TEMPORARY TABLE rv_line AS
        SELECT a.line_id, a.claim_id, a.person_id, a.institution_id, c.inpatient, a.code,
               a.service_on, l.quantity, l.unit_price_fen, l.amount_fen,
               p.unit_price_fen AS list_price, p.daily_limit, p.sex_only, p.min_age, p.max_age
        FROM rv_all a
        JOIN claim_line l ON l.id = a.line_id
        JOIN rv_claim c ON c.id = a.claim_id
        LEFT JOIN (
            SELECT a2.line_id, p2.*, ROW_NUMBER() OVER (PARTITION BY a2.line_id
                                                         ORDER BY p2.valid_from DESC) AS rn
            FROM rv_all a2 JOIN price_item p2
              ON p2.institution_id = a2.institution_id AND p2.code = a2.code
             AND p2.valid_from <= a2.service_on
             AND (p2.valid_to IS NULL OR p2.valid_to >= a2.service_on)
            WHERE a2.mine = 1) p ON p.line_id = a.line_id AND p.rn = 1
        WHERE a.mine = 1"""))
    if is_postgres(db):
        db.execute(text("CREATE INDEX ON rv_claim (person_id)"))
    analyze(db, list(TEMP))


def _statements(db: Session, params: rules.Params) -> dict[str, str]:
    """rule → SELECT line_id, cut (each over the temporary tables)."""
    yes = "TRUE" if is_postgres(db) else "1"
    bed = _bed(params.bed_prefixes)
    age = _age(db, "pe.birth_date", "l.service_on")
    sex = "CASE pe.sex WHEN 'M' THEN '1' WHEN 'F' THEN '2' ELSE pe.sex END"
    window = _minus_days(db, "c.admission_on", str(int(params.readmission_days)))
    return {
        "not_listed": "SELECT line_id, amount_fen AS cut FROM rv_line WHERE list_price IS NULL",
        "over_price": """
            SELECT line_id, CASE WHEN e < amount_fen THEN e ELSE amount_fen END AS cut
            FROM (SELECT line_id, amount_fen, (unit_price_fen - list_price) * quantity AS e
                  FROM rv_line WHERE unit_price_fen > list_price) x WHERE 1 = 1""",
        "repeated": """
            SELECT line_id, amount_fen AS cut FROM (
              SELECT line_id, amount_fen, ROW_NUMBER() OVER (
                PARTITION BY claim_id, code, service_on ORDER BY line_id) AS rn
              FROM rv_line) x WHERE rn > 1""",
        "over_quantity": """
            SELECT line_id, CASE WHEN e < amount_fen THEN e ELSE amount_fen END AS cut FROM (
              SELECT line_id, amount_fen, (quantity - daily_limit) * CASE
                WHEN unit_price_fen < list_price THEN unit_price_fen ELSE list_price END AS e
              FROM rv_line WHERE daily_limit IS NOT NULL AND quantity > daily_limit) x
            WHERE 1 = 1""",
        "bed_blocking": f"""
            SELECT l.line_id, l.amount_fen AS cut FROM rv_line l JOIN (
              SELECT claim_id, service_on, COUNT(*) OVER (PARTITION BY claim_id) AS idle
              FROM rv_line WHERE inpatient = {yes}
              GROUP BY claim_id, service_on
              HAVING MIN(CASE WHEN {bed} THEN 1 ELSE 0 END) = 1) d
              ON d.claim_id = l.claim_id AND d.service_on = l.service_on
            WHERE d.idle >= {int(params.idle_days)}""",
        "card_profile": f"""
            SELECT l.line_id, l.amount_fen AS cut FROM rv_line l JOIN person pe ON pe.id = l.person_id
            WHERE (l.sex_only IS NOT NULL AND l.sex_only <> {sex})
               OR (l.min_age IS NOT NULL AND {age} < l.min_age)
               OR (l.max_age IS NOT NULL AND {age} > l.max_age)""",
        "after_death": """
            SELECT l.line_id, l.amount_fen AS cut FROM rv_line l JOIN person pe ON pe.id = l.person_id
            WHERE pe.death_date IS NOT NULL AND l.service_on > pe.death_date""",
        "split_charge": """
            SELECT line_id, amount_fen AS cut FROM (
              SELECT a.line_id, a.mine, l.amount_fen, a.claim_id, MIN(a.claim_id) OVER (
                PARTITION BY a.person_id, a.institution_id, a.code, a.service_on) AS first_claim
              FROM rv_all a LEFT JOIN rv_line l ON l.line_id = a.line_id) x
            WHERE mine = 1 AND claim_id <> first_claim""",
        "card_simultaneous": f"""
            SELECT DISTINCT l.line_id, 0 AS cut FROM rv_claim c
            JOIN rv_claim o ON o.person_id = c.person_id AND o.inpatient = {yes}
             AND o.institution_id <> c.institution_id
             AND o.admission_on <= c.discharge_on AND c.admission_on < o.discharge_on
            JOIN rv_line l ON l.claim_id = c.id
             AND o.admission_on <= l.service_on AND l.service_on < o.discharge_on
            WHERE c.mine = 1 AND c.inpatient = {yes}""",
        "readmission": f"""
            SELECT l.line_id, 0 AS cut FROM rv_line l JOIN rv_claim c ON c.id = l.claim_id
            WHERE c.inpatient = {yes} AND EXISTS (
              SELECT 1 FROM rv_claim o WHERE o.person_id = c.person_id
               AND o.inpatient = {yes} AND o.id <> c.id
               AND o.discharge_on <= c.admission_on AND o.discharge_on >= {window})""",
    }


def review_month(db: Session, actor: Actor, period: int, params: rules.Params,
                 progress: Callable[[str], None] | None = None) -> ClaimReviewRun:
    """Flag a month's lines, every rule in one statement; record the run and its hits. Runs in
    the caller's transaction (service.run_review wraps it)."""
    started = time.perf_counter()
    run = ClaimReviewRun(period=period, run_by=actor.username)
    db.add(run)
    db.flush()
    _prepare(db, period, params)
    hits = {}
    for rule, select in _statements(db, params).items():
        hits[rule] = _insert(db, rule, select, run.id)
        if progress:
            progress(rule)
    counts = db.execute(text("SELECT COUNT(DISTINCT claim_id), COUNT(*) FROM rv_line")).one()
    db.execute(text("UPDATE claim SET status = 'reviewed' WHERE period = :p AND status = 'received'"),
               {"p": period})
    run.claims, run.lines, run.hits = counts[0], counts[1], json.dumps(hits)
    run.millis = int((time.perf_counter() - started) * 1000)
    for name in TEMP:
        db.execute(text(f"DROP TABLE IF EXISTS {name}"))
    audit.record(db, actor, "claims.review_month", f"claim_review_run:{run.id}",
                 after={"period": period, "claims": run.claims, "lines": run.lines, "hits": hits})
    return run


def _insert(db: Session, rule: str, select: str, run_id: int) -> int:
    assert rule in rules.RULES
    result = db.execute(text(f"""INSERT INTO claim_flag (line_id, rule, cut_fen, run_id)
                                 SELECT s.line_id, '{rule}', s.cut, :run
                                 FROM ({select}) s
                                 WHERE 1 = 1 ON CONFLICT (line_id, rule) DO NOTHING"""),
                        {"run": run_id})
    return result.rowcount or 0
