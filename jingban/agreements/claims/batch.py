"""The monthly claim review, set-based (Z-6): SQL over the stored lines, one statement per rule,
never a Python loop per line. Gives the same flags as the pure rules in ``rules.py`` (a test
compares them) and runs on SQLite and PostgreSQL alike.

Idempotent: a flag is unique per (line, rule), so a rerun adds only what is new (a claim
uploaded late at another institution may make a simultaneous stay visible); settled claims are
never flagged again. A run records the last upload it saw (``upload_through``): a claim of a
later upload is not reviewed yet. Temporary tables carry the run: ``rv_claim`` (this month's
claims and the same persons' claims near in time), ``rv_seg`` (the price list as disjoint
segments of days, each with the item in force — the latest version started and not ended, as
``institutions.service.price_list`` answers), ``rv_line`` (this month's lines with that item)
and ``rv_key`` (item-days of one person at one institution charged in more than one claim, from
the lines of the persons with several claims there: ``rv_pair``, ``rv_multi``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from jingban.agreements.claims import rules
from jingban.agreements.claims.models import ClaimReviewRun, ClaimUpload
from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.db import analyze, is_postgres

WORK_MEM = "256MB"
TEMP = ("rv_key", "rv_multi", "rv_pair", "rv_line", "rv_seg", "rv_bound", "rv_claim")


def _plus_days(db: Session, column: str, days: int) -> str:
    if is_postgres(db):
        return f"({column} + {int(days)})"
    return f"date({column}, '{int(days):+d} days')"


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


def _claims(db: Session, p: int, params: rules.Params) -> None:
    first = _plus_days(db, f"(SELECT MIN(admission_on) FROM claim WHERE period = {p})",
                       -(params.readmission_days + 1))
    db.execute(text(f"""
        CREATE TEMPORARY TABLE rv_claim AS
        SELECT c.id, c.institution_id, c.person_id, c.inpatient, c.admission_on, c.discharge_on,
               CASE WHEN c.period = {p} AND c.status <> 'settled' THEN 1 ELSE 0 END AS mine
        FROM claim c
        WHERE c.period = {p}
           OR (c.person_id IN (SELECT person_id FROM claim WHERE period = {p})
               AND c.discharge_on >= {first}
               AND c.admission_on <= (SELECT MAX(discharge_on) FROM claim WHERE period = {p}))"""))


def _prices(db: Session) -> None:
    """The price lists of this month's institutions cut into disjoint segments of days."""
    db.execute(text(f"""
        CREATE TEMPORARY TABLE rv_bound AS
        SELECT institution_id, code, valid_from AS d FROM price_item
        WHERE institution_id IN (SELECT institution_id FROM rv_claim WHERE mine = 1)
        UNION
        SELECT institution_id, code, {_plus_days(db, "valid_to", 1)} FROM price_item
        WHERE valid_to IS NOT NULL
          AND institution_id IN (SELECT institution_id FROM rv_claim WHERE mine = 1)"""))
    db.execute(text("""
        CREATE TEMPORARY TABLE rv_seg AS
        SELECT institution_id, code, seg_from, seg_to, unit_price_fen, daily_limit, sex_only,
               min_age, max_age FROM (
          SELECT s.institution_id, s.code, s.d AS seg_from, s.next_d AS seg_to,
                 p.unit_price_fen, p.daily_limit, p.sex_only, p.min_age, p.max_age,
                 ROW_NUMBER() OVER (PARTITION BY s.institution_id, s.code, s.d
                                    ORDER BY p.valid_from DESC) AS rn
          FROM (SELECT institution_id, code, d, LEAD(d) OVER (
                  PARTITION BY institution_id, code ORDER BY d) AS next_d FROM rv_bound) s
          JOIN price_item p ON p.institution_id = s.institution_id AND p.code = s.code
           AND p.valid_from <= s.d AND (p.valid_to IS NULL OR p.valid_to >= s.d)) x
        WHERE rn = 1"""))


def _lines(db: Session) -> None:
    db.execute(text("""
        CREATE TEMPORARY TABLE rv_line AS
        SELECT l.id AS line_id, l.claim_id, c.person_id, c.institution_id, c.inpatient, l.code,
               l.service_on, l.quantity, l.unit_price_fen, l.amount_fen,
               p.unit_price_fen AS list_price, p.daily_limit, p.sex_only, p.min_age, p.max_age
        FROM claim_line l
        JOIN rv_claim c ON c.id = l.claim_id AND c.mine = 1
        LEFT JOIN rv_seg p ON p.institution_id = c.institution_id AND p.code = l.code
         AND p.seg_from <= l.service_on AND (p.seg_to IS NULL OR l.service_on < p.seg_to)"""))
    db.execute(text("""
        CREATE TEMPORARY TABLE rv_pair AS
        SELECT person_id, institution_id FROM rv_claim
        GROUP BY person_id, institution_id HAVING COUNT(*) > 1"""))
    analyze(db, ["rv_line", "rv_pair"])
    db.execute(text("""
        CREATE TEMPORARY TABLE rv_multi AS
        SELECT l.line_id, l.claim_id, l.person_id, l.institution_id, l.code, l.service_on,
               l.amount_fen
        FROM rv_line l JOIN rv_pair m
          ON m.person_id = l.person_id AND m.institution_id = l.institution_id"""))
    db.execute(text("""
        CREATE TEMPORARY TABLE rv_key AS
        SELECT person_id, institution_id, code, service_on, MIN(claim_id) AS first_claim FROM (
          SELECT person_id, institution_id, code, service_on, claim_id FROM rv_multi
          UNION ALL
          SELECT c.person_id, c.institution_id, l.code, l.service_on, l.claim_id
          FROM rv_claim c
          JOIN rv_pair m ON m.person_id = c.person_id AND m.institution_id = c.institution_id
          JOIN claim_line l ON l.claim_id = c.id
          WHERE c.mine = 0) x
        GROUP BY person_id, institution_id, code, service_on
        HAVING MIN(claim_id) < MAX(claim_id)"""))


def _prepare(db: Session, period: int, params: rules.Params) -> None:
    p = int(period)  # inlined: PostgreSQL binds no parameters in CREATE TABLE AS
    if is_postgres(db):  # the hash aggregates over a month's lines stay in memory
        db.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    for name in TEMP:
        db.execute(text(f"DROP TABLE IF EXISTS {name}"))
    _claims(db, p, params)
    analyze(db, ["rv_claim"])
    _prices(db)
    analyze(db, ["rv_bound", "rv_seg"])
    _lines(db)
    if is_postgres(db):
        db.execute(text("CREATE INDEX ON rv_claim (person_id)"))
    analyze(db, ["rv_multi", "rv_key"])


def _statements(db: Session, params: rules.Params) -> dict[str, str]:
    """rule → SELECT line_id, cut (each over the temporary tables)."""
    yes = "TRUE" if is_postgres(db) else "1"
    bed = _bed(params.bed_prefixes)
    age = _age(db, "pe.birth_date", "l.service_on")
    sex = "CASE pe.sex WHEN 'M' THEN '1' WHEN 'F' THEN '2' ELSE pe.sex END"
    window = _plus_days(db, "c.admission_on", -int(params.readmission_days))
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
            SELECT l.line_id, l.amount_fen AS cut FROM rv_line l
            JOIN (SELECT id, death_date FROM person WHERE death_date IS NOT NULL) pe
              ON pe.id = l.person_id
            WHERE l.service_on > pe.death_date""",
        "split_charge": """
            SELECT l.line_id, l.amount_fen AS cut FROM rv_multi l JOIN rv_key k
              ON k.person_id = l.person_id AND k.institution_id = l.institution_id
             AND k.code = l.code AND k.service_on = l.service_on
            WHERE l.claim_id <> k.first_claim""",
        "card_simultaneous": f"""
            SELECT DISTINCT l.line_id, 0 AS cut FROM rv_claim c
            JOIN rv_claim o ON o.person_id = c.person_id AND o.inpatient = {yes}
             AND o.institution_id <> c.institution_id
             AND o.admission_on <= c.discharge_on AND c.admission_on < o.discharge_on
            JOIN rv_line l ON l.claim_id = c.id
             AND o.admission_on <= l.service_on AND l.service_on < o.discharge_on
            WHERE c.mine = 1 AND c.inpatient = {yes}""",
        "readmission": f"""
            SELECT l.line_id, 0 AS cut FROM rv_line l JOIN (
              SELECT DISTINCT c.id FROM rv_claim c JOIN rv_claim o ON o.person_id = c.person_id
               AND o.inpatient = {yes} AND o.id <> c.id
               AND o.discharge_on <= c.admission_on AND o.discharge_on >= {window}
              WHERE c.mine = 1 AND c.inpatient = {yes}) r ON r.id = l.claim_id""",
    }


def review_month(db: Session, actor: Actor, period: int, params: rules.Params,
                 progress: Callable[[str], None] | None = None) -> ClaimReviewRun:
    """Flag a month's lines, every rule in one statement; record the run and its hits. Runs in
    the caller's transaction (service.run_review wraps it)."""
    started = time.perf_counter()
    through = db.execute(select(func.max(ClaimUpload.id)).where(ClaimUpload.period == period)).scalar()
    run = ClaimReviewRun(period=period, run_by=actor.username, upload_through=through or 0)
    db.add(run)
    db.flush()
    _prepare(db, period, params)
    hits = {}
    for rule, statement in _statements(db, params).items():
        hits[rule] = _insert(db, rule, statement, run.id)
        if progress:
            progress(rule)
    counts = db.execute(text("SELECT COUNT(*) FROM rv_claim WHERE mine = 1")).scalar()
    run.claims, run.lines = counts, db.execute(text("SELECT COUNT(*) FROM rv_line")).scalar()
    run.hits = json.dumps(hits)
    run.millis = int((time.perf_counter() - started) * 1000)
    for name in TEMP:
        db.execute(text(f"DROP TABLE IF EXISTS {name}"))
    audit.record(db, actor, "claims.review_month", f"claim_review_run:{run.id}",
                 after={"period": period, "claims": run.claims, "lines": run.lines, "hits": hits})
    return run


def _insert(db: Session, rule: str, statement: str, run_id: int) -> int:
    if rule not in rules.RULES:
        raise ValueError(f"unknown rule {rule}")
    result = db.execute(text(f"""INSERT INTO claim_flag (line_id, rule, cut_fen, run_id)
                                 SELECT s.line_id, '{rule}', s.cut, :run
                                 FROM ({statement}) s
                                 WHERE 1 = 1 ON CONFLICT (line_id, rule) DO NOTHING"""),
                        {"run": run_id})
    return result.rowcount or 0
