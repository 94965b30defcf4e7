"""Set-based jobs of records: reading and checking a collector file, posting it, the yearly
interest run, the yearly statements' aggregates. No per-row ORM round trips: Polars checks the
formats, a staging table and INSERT … SELECT with joins check against the register and post
(COPY on PostgreSQL).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from decimal import Decimal

import polars as pl
import psycopg
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    Result,
    Row,
    String,
    Table,
    exists,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from jingban.core import policy
from jingban.core.agency import region
from jingban.core.db import analyze, is_postgres
from jingban.core.errors import JingbanError
from jingban.core.files import json_items
from jingban.records import rules
from jingban.records.models import AccountEntry, AccountYear, Contribution, DeemedService, Proof
from jingban.registration.models import Enrollment, Person
from jingban.registration.rules import INSURANCES, base_limits

STAGE = MetaData()  # temporary tables, never in the schema
STAGE_TABLE = Table(
    "rec_stage", STAGE,
    Column("line", Integer), Column("record_id", String(64)), Column("uscc", String(40)),
    Column("ssn", String(40)), Column("insurance", String(24)), Column("individual", Integer),
    Column("period", Integer), Column("period_start", Date), Column("period_end", Date),
    Column("base", BigInteger), Column("employer_amount", BigInteger),
    Column("personal_amount", BigInteger), Column("paid_on", Date), Column("credit_year", Integer),
    prefixes=["TEMPORARY"])
RATE_TABLE = Table(
    "rec_rate", STAGE,
    Column("period", Integer), Column("insurance", String(24)), Column("individual", Integer),
    Column("risk_class", Integer), Column("floor", BigInteger), Column("ceiling", BigInteger),
    Column("emp_num", BigInteger), Column("emp_den", BigInteger), Column("per_num", BigInteger),
    Column("per_den", BigInteger), Column("acc_num", BigInteger), Column("acc_den", BigInteger),
    prefixes=["TEMPORARY"])
TIER_TABLE = Table(
    "rec_tier", STAGE,
    Column("period", Integer), Column("threshold", BigInteger), Column("subsidy", BigInteger),
    prefixes=["TEMPORARY"])
TEMP_TABLES = ("rec_settle", "rec_checked", "rec_tier", "rec_rate", "rec_stage")
STAGED = [c.name for c in STAGE_TABLE.columns]
COPY_CHUNK = 500_000
WORK_MEM = "256MB"
# The unique key on the collector's record id, as PostgreSQL and SQLite name it in errors.
RECORD_ID_KEYS = ("uq_contribution_record_id", "contribution.record_id")


# --- reading the file ------------------------------------------------------------------------

def read(text_: str) -> pl.DataFrame:
    """Every data row as text: line, raw (as received), the columns, and a row problem."""
    if text_.lstrip()[:1] in ("[", "{"):
        return _json_frame(text_)
    header, _, rest = text_.partition("\n")
    columns = [c.strip().lstrip("\ufeff") for c in next(csv.reader([header.rstrip("\r")]))]
    rules.check_columns(columns)
    frame = _csv_fast(rest, columns) if '"' not in text_ else _csv_quoted(text_, columns)
    if frame.is_empty():
        raise rules.file_error("文件中没有数据记录")
    return frame


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Blank cells mean "not given"; text is trimmed."""
    cells = [pl.col(c).str.strip_chars().replace("", None).alias(c) for c in rules.COLUMNS]
    by_name = {name: code for code, name in INSURANCES.items()}
    insurance = pl.col("insurance").replace(by_name)  # the code, or its Chinese name
    return frame.with_columns(cells).with_columns(insurance)\
        .select("line", "raw", *rules.COLUMNS, "problem")


def _csv_fast(rest: str, columns: list[str]) -> pl.DataFrame:
    """Unquoted CSV (the usual collector export): Polars' native reader cuts the lines, one
    line one row, and ``split_exact`` the cells; a row with another count of cells is kept
    with its problem."""
    raw = _lines(rest).with_row_index("line", offset=2)\
        .with_columns(pl.col("raw").str.strip_chars_end("\r"))\
        .filter(pl.col("raw").str.strip_chars() != "")
    width = len(columns)
    cells = raw.with_columns(pl.col("raw").str.split_exact(",", width).alias("cells"))\
        .unnest("cells")
    short = pl.col(f"field_{width - 1}").is_null()
    problem = pl.when(short | pl.col(f"field_{width}").is_not_null()).then(pl.lit("records.columns"))
    fields = [pl.col(f"field_{i}").alias(c) for i, c in enumerate(columns)]
    frame = cells.select(pl.col("line").cast(pl.Int64), "raw", *fields, problem.alias("problem"))
    return _finish(frame.with_columns([pl.lit(None, pl.String).alias(c) for c in rules.COLUMNS
                                       if c not in columns]))


def _lines(rest: str) -> pl.DataFrame:
    """Every line of the text as it is, blank ones included (so the index is the line)."""
    if "\x1f" in rest or not rest.strip():  # \x1f: the separator the fast reader borrows
        return pl.Series("raw", rest.split("\n"), pl.String).to_frame()
    return pl.read_csv(rest.encode(), has_header=False, new_columns=["raw"], separator="\x1f",
                       quote_char=None, schema={"raw": pl.String})


def _csv_quoted(text_: str, columns: list[str]) -> pl.DataFrame:
    """CSV with quoted cells (which may hold commas or line breaks): Python's csv reader."""
    lines = io.StringIO(text_, newline="").readlines()
    reader = csv.reader(lines)
    rows: dict[str, list] = {k: [] for k in ("line", "raw", "problem", *rules.COLUMNS)}
    try:
        next(reader)
        start = reader.line_num
        for row in reader:
            first, start = start + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows["line"].append(first)
            rows["raw"].append("".join(lines[first - 1:start]).rstrip("\r\n"))
            rows["problem"].append(None if len(row) == len(columns) else "records.columns")
            values = dict(zip(columns, row, strict=False))
            for c in rules.COLUMNS:
                rows[c].append(values.get(c))
    except csv.Error as exc:
        raise rules.file_error(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from None
    return _finish(pl.DataFrame(rows, schema={"line": pl.Int64, "raw": pl.String,
                                              "problem": pl.String,
                                              **dict.fromkeys(rules.COLUMNS, pl.String)}))


def _json_frame(text_: str) -> pl.DataFrame:
    """A JSON array of objects (sharing's reader keeps each object's exact text); ``line`` is
    the object's position in the array, since a compact file holds them all on one line."""
    try:
        items = json_items(text_)
    except JingbanError as exc:
        raise rules.file_error(exc.message) from None
    rows: dict[str, list] = {k: [] for k in ("line", "raw", "problem", *rules.COLUMNS)}
    for position, item in enumerate(items, 1):
        data = item.data or {}
        bad = item.problem or set(data) - set(rules.COLUMNS)
        rows["line"].append(position)
        rows["raw"].append(item.raw)
        rows["problem"].append("records.columns" if bad else None)
        for c in rules.COLUMNS:
            value = data.get(c)
            rows[c].append(None if value is None or isinstance(value, dict | list) else str(value))
    if not items:
        raise rules.file_error("文件中没有数据记录")
    return _finish(pl.DataFrame(rows, schema={"line": pl.Int64, "raw": pl.String,
                                              "problem": pl.String,
                                              **dict.fromkeys(rules.COLUMNS, pl.String)}))


# --- format checks (Polars) ------------------------------------------------------------------

def _money(column: str) -> tuple[pl.Expr, list[tuple[pl.Expr, str]]]:
    """Fen of a yuan text, and the problems in order (negative, not a number, >2 decimals)."""
    s = pl.col(column)
    whole = s.str.extract(r"^(\d{1,10})(?:\.\d{1,2})?$", 1).cast(pl.Int64, strict=False)
    cents = s.str.extract(r"^\d{1,10}\.(\d{1,2})$", 1).str.pad_end(2, "0").cast(pl.Int64,
                                                                            strict=False)
    fen = whole * 100 + cents.fill_null(0)
    problems = [(s.str.contains(r"^-\s*\d+(\.\d+)?$"), "money.negative"),
                (s.str.contains(r"^\d{1,10}\.\d{3,}$"), "money.precision"),
                (whole.is_null(), "money.invalid")]
    return fen, [(s.is_not_null() & cond, code) for cond, code in problems]


def check_format(frame: pl.DataFrame, today: dt.date, closed: set[int]) -> pl.DataFrame:
    """Typed columns plus the first problem of each row (error_code, error_field)."""
    this_period = rules.period_of(today)
    ins, per = pl.col("insurance"), pl.col("period")
    period = per.cast(pl.Int64, strict=False)
    flat = ins.is_in(list(rules.FLAT))
    paid_text = pl.col("paid_on").str.replace(r"^(\d{4})(\d{2})(\d{2})$", "$1-$2-$3")
    paid_on = paid_text.str.to_date("%Y-%m-%d", strict=False)
    base_fen, base_problems = _money("base")
    emp_fen, emp_problems = _money("employer_amount")
    per_fen, per_problems = _money("personal_amount")
    zero_base = pl.col("base").is_null() | (base_fen == 0)
    checks: list[tuple[pl.Expr, str, str | None]] = [
        (pl.col("problem").is_not_null(), "records.columns", None),
        (pl.col("record_id").is_null(), "validation.missing", "record_id"),
        (pl.col("record_id").str.len_chars() > 64, "records.record_id", "record_id"),
        (pl.col("ssn").is_null(), "validation.missing", "ssn"),
        (ins.is_null(), "validation.missing", "insurance"),
        (~ins.is_in(list(INSURANCES)), "records.insurance", "insurance"),
        (per.is_null(), "validation.missing", "period"),
        (~per.str.contains(r"^(19[5-9]\d|2\d{3})(0[1-9]|1[0-2])$"), "records.period_format",
         "period"),
        (period > this_period, "records.period_future", "period"),
        (flat & ~zero_base, "records.base_not_applicable", "base"),
        (~flat & pl.col("base").is_null(), "validation.missing", "base"),
        *[(~flat & cond, code, "base") for cond, code in base_problems],
        (pl.col("employer_amount").is_null(), "validation.missing", "employer_amount"),
        *[(cond, code, "employer_amount") for cond, code in emp_problems],
        (pl.col("personal_amount").is_null(), "validation.missing", "personal_amount"),
        *[(cond, code, "personal_amount") for cond, code in per_problems],
        (pl.col("paid_on").is_not_null() & paid_on.is_null(), "validation.date_invalid",
         "paid_on"),
        (paid_on > pl.lit(today), "records.paid_future", "paid_on"),
    ]
    code = pl.coalesce([pl.when(c.fill_null(False)).then(pl.lit(k)) for c, k, _ in checks])
    field = pl.coalesce([pl.when(c.fill_null(False)).then(pl.lit(f or "", pl.String))
                         for c, _, f in checks])
    start = pl.date(period // 100, (period % 100).clip(1, 12), 1)
    year = paid_on.dt.year()
    return frame.with_columns(
        error_code=code, error_field=field.replace("", None),
        uscc=pl.col("uscc").str.to_uppercase(), ssn=pl.col("ssn").str.to_uppercase(),
        individual=pl.col("uscc").is_null().cast(pl.Int32), period=period,
        base=pl.when(flat).then(None).otherwise(base_fen), employer_amount=emp_fen,
        personal_amount=per_fen, paid_on=paid_on,
        credit_year=pl.when(year.is_in(list(closed))).then(today.year).otherwise(year))\
        .with_columns(period_start=pl.when(pl.col("error_code").is_null()).then(start))\
        .with_columns(period_end=pl.col("period_start").dt.month_end())


def split_duplicates(checked: pl.DataFrame) -> pl.DataFrame:
    """A collector record id met again later in the same file is a duplicate."""
    good = pl.col("error_code").is_null()
    seen_before = good & ~pl.col("record_id").is_first_distinct().over(good)
    return checked.with_columns(
        error_code=pl.when(seen_before).then(pl.lit("records.duplicate"))
        .otherwise(pl.col("error_code")),
        error_field=pl.when(seen_before).then(pl.lit("record_id")).otherwise(pl.col("error_field")))


# --- rates per period ------------------------------------------------------------------------

def rate_rows(db: Session, periods: list[int]) -> tuple[list[dict], list[dict]]:
    """The rates, base limits and subsidy tiers of every period in the file (a small table)."""
    rates, tiers = [], []
    for period in periods:
        on = rules.period_date(period)

        def param(name: str, on: dt.date = on):
            return policy.value(name, region(db), on)

        limits = _limits(param)
        rates += [row for insurance, individual, risk in _combinations()
                  if (row := _rate_row(param, period, insurance, individual, risk, limits))]
        with contextlib.suppress(JingbanError):
            tiers += [{"period": period, "threshold": t, "subsidy": s}
                      for t, s in param("records.resident_subsidy")]
    return rates, tiers


def _combinations() -> list[tuple[str, int, int]]:
    """(insurance, individual, injury risk class or 0) — every rate a row may need."""
    return [(insurance, individual, risk) for insurance in INSURANCES for individual in (0, 1)
            for risk in (range(1, 9) if insurance == "injury" and not individual else [0])]


def _limits(param) -> tuple[int, int] | None:
    try:
        return base_limits(param("contribution.average_monthly_wage"),
                           param("contribution.base_floor_ratio"),
                           param("contribution.base_ceiling_ratio"))
    except JingbanError:
        return None


def _rate_row(param, period: int, insurance: str, individual: int, risk: int,
              limits: tuple[int, int] | None) -> dict | None:
    try:
        found = rules.rates(param, insurance, bool(individual), risk or None)
    except JingbanError:
        return None
    if found.employer is None:
        floor = ceiling = None
        emp, per = (0, 1), (0, 1)
    elif limits is None:
        return None
    else:
        (floor, ceiling), emp, per = limits, rules.fraction(found.employer), \
            rules.fraction(found.personal)
    acc = rules.fraction(found.account)
    return {"period": period, "insurance": insurance, "individual": individual,
            "risk_class": risk, "floor": floor, "ceiling": ceiling, "emp_num": emp[0],
            "emp_den": emp[1], "per_num": per[0], "per_den": per[1], "acc_num": acc[0],
            "acc_den": acc[1]}


# --- staging and posting (SQL) ---------------------------------------------------------------

def drop_temp(db: Session) -> None:
    for name in TEMP_TABLES:
        db.execute(text(f"DROP TABLE IF EXISTS {name}"))


def tune(db: Session) -> None:
    """Settings for this transaction's large set-based statements on PostgreSQL: no JIT (its
    compile time, ~0.8 s a statement, exceeded the whole check of a 75k-row file) and room to
    hash a file's rows in memory instead of spilling them to disk in batches."""
    if is_postgres(db):
        db.execute(text("SET LOCAL jit = off"))
        db.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))


def load(db: Session, table: Table, frame: pl.DataFrame) -> None:
    """Bulk load: COPY on PostgreSQL, executemany elsewhere."""
    if frame.is_empty():
        return
    frame = frame.select([c.name for c in table.columns])
    if not is_postgres(db):
        db.execute(insert(table), frame.to_dicts())
        return
    cursor = db.connection().connection.driver_connection.cursor()
    names = ", ".join(c.name for c in table.columns)
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
        for start in range(0, frame.height, COPY_CHUNK):
            copy.write(frame.slice(start, COPY_CHUNK).write_csv(include_header=False))


def stage(db: Session, good: pl.DataFrame, rates: list[dict], tiers: list[dict]) -> None:
    """Load the well-formed rows into temporary tables (never WAL-logged, private to this
    transaction, so two imports never see each other's rows) and check them against the
    register in one statement into ``rec_checked``."""
    tune(db)
    drop_temp(db)
    for table in (STAGE_TABLE, RATE_TABLE, TIER_TABLE):
        table.create(db.connection())
    load(db, STAGE_TABLE, good)
    load(db, RATE_TABLE, pl.DataFrame(rates, schema={c.name: pl.Int64 if c.name != "insurance"
                                                      else pl.String for c in RATE_TABLE.columns}))
    load(db, TIER_TABLE, pl.DataFrame(tiers, schema=dict.fromkeys(("period", "threshold",
                                                                    "subsidy"), pl.Int64)))
    analyze(db, ["rec_stage", "rec_rate", "rec_tier"])
    _analyze_stale(db, ["person", "employer", "enrollment", "arrears"])
    db.execute(text(CHECK_SQL.format(id=_new_ids(db))), _id_params(db))
    analyze(db, ["rec_checked"])


def _analyze_stale(db: Session, tables: list[str]) -> None:
    """A freshly loaded register may not be analyzed yet; analyzing it again on every import
    would cost more than the import's own check, so only tables never analyzed or changed by
    more than a fifth since (autovacuum's own rule is a tenth, but it runs late)."""
    if not is_postgres(db):
        return
    stale = db.execute(text(
        "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(:names) AND "
        "(COALESCE(last_analyze, last_autoanalyze) IS NULL OR n_mod_since_analyze > "
        "0.2 * GREATEST(n_live_tup, 1000))"), {"names": tables}).scalars().all()
    analyze(db, sorted(stale))


def _new_ids(db: Session) -> str:
    """Contribution ids are drawn while checking, so contributions and their account credits
    are both written straight from ``rec_checked`` without joining back on the record id.
    PostgreSQL: the column's own sequence (gaps for refused rows are harmless). SQLite has no
    sequence; this transaction already holds SQLite's single write lock (the batch row), so
    the highest id plus the line number cannot collide."""
    if is_postgres(db):
        return ("CASE WHEN c.error_code IS NULL AND c.paid_on IS NOT NULL "
                "THEN nextval(CAST(:sequence AS regclass)) END")
    return "(SELECT COALESCE(MAX(id), 0) FROM contribution) + c.line"


def _id_params(db: Session) -> dict[str, str]:
    if not is_postgres(db):
        return {}
    return {"sequence": db.execute(text("SELECT pg_get_serial_sequence('contribution', 'id')"))
            .scalar()}


def _due(amount: str, num: str, den: str) -> str:
    """half-up(amount × num / den) in integer arithmetic (rules.due_exact)."""
    return f"(2 * {amount} * {num} + {den}) / (2 * {den})"


# Every check joins (hash joins over the file's rows) or probes one index per row; none
# scans the posted contributions, which grow by millions of rows a year. A record id posted
# before is caught by the unique index on contribution.record_id when posting (see post).
_SAME_EMPLOYER = "({a}.employer_id = e.id OR ({a}.employer_id IS NULL AND s.individual = 1))"
CHECK_SQL = f"""
CREATE TEMPORARY TABLE rec_checked AS
SELECT c.*, {{id}} AS contribution_id FROM (
SELECT s.line, s.record_id, s.insurance, s.period, s.base, s.employer_amount, s.personal_amount,
       s.paid_on, s.credit_year, p.id AS person_id, e.id AS employer_id,
  CASE
    WHEN d.id IS NOT NULL THEN 'records.duplicate'
    WHEN p.id IS NULL THEN 'person.not_found'
    WHEN s.individual = 0 AND e.id IS NULL THEN 'employer.not_found'
    WHEN NOT EXISTS (SELECT 1 FROM enrollment n WHERE n.person_id = p.id
        AND n.insurance = s.insurance AND {_SAME_EMPLOYER.format(a='n')}
        AND n.start_date <= s.period_end AND (n.end_date IS NULL OR n.end_date >= s.period_start))
      THEN 'records.not_enrolled'
    WHEN s.insurance = 'injury' AND s.individual = 0 AND e.injury_risk_class IS NULL
      THEN 'records.risk_class'
    WHEN r.period IS NULL THEN 'records.no_rate'
    WHEN r.floor IS NULL AND (s.personal_amount <= 0 OR s.employer_amount <> 0)
      THEN 'records.flat_amount'
    WHEN r.floor IS NOT NULL AND (s.base < r.floor OR s.base > r.ceiling) THEN 'records.base_range'
    WHEN r.floor IS NOT NULL AND s.employer_amount <> {_due('s.base', 'r.emp_num', 'r.emp_den')}
      THEN 'records.employer_amount'
    WHEN r.floor IS NOT NULL AND s.personal_amount <> {_due('s.base', 'r.per_num', 'r.per_den')}
      THEN 'records.personal_amount'
    WHEN s.paid_on IS NULL AND EXISTS (SELECT 1 FROM arrears a WHERE a.person_id = p.id
        AND a.insurance = s.insurance AND a.period = s.period AND a.settled_at IS NULL
        AND {_SAME_EMPLOYER.format(a='a')})
      THEN 'records.arrears_exists'
  END AS error_code,
  CASE WHEN s.insurance = 'pension_resident' THEN s.personal_amount
       WHEN r.floor IS NOT NULL THEN {_due('s.base', 'r.acc_num', 'r.acc_den')}
       ELSE 0 END AS account_amount,
  CASE WHEN s.insurance = 'pension_resident' THEN COALESCE((SELECT t.subsidy FROM rec_tier t
       WHERE t.period = s.period AND t.threshold <= s.personal_amount
       ORDER BY t.threshold DESC LIMIT 1), 0) ELSE 0 END AS subsidy_amount
FROM rec_stage s
LEFT JOIN person p ON p.ssn = s.ssn
LEFT JOIN employer e ON e.uscc = s.uscc
LEFT JOIN arrears d ON d.record_id = s.record_id
LEFT JOIN rec_rate r ON r.period = s.period AND r.insurance = s.insurance
  AND r.individual = s.individual
  AND r.risk_class = CASE WHEN s.insurance = 'injury' AND s.individual = 0
                          THEN COALESCE(e.injury_risk_class, 0) ELSE 0 END
) c
"""

_POSTED = "error_code IS NULL AND paid_on IS NOT NULL"
POST_SQL = f"""
INSERT INTO contribution (id, batch_id, line, record_id, person_id, employer_id, insurance,
  period, base, employer_amount, personal_amount, account_amount, subsidy_amount, paid_on, kind,
  posted_at)
SELECT contribution_id, :batch, line, record_id, person_id, employer_id, insurance, period, base,
  employer_amount, personal_amount, account_amount, subsidy_amount, paid_on, 'posted', :now
FROM rec_checked WHERE {_POSTED}
"""
MARK_POSTED_BEFORE_SQL = f"""
UPDATE rec_checked SET error_code = 'records.duplicate'
WHERE {_POSTED}
  AND EXISTS (SELECT 1 FROM contribution c WHERE c.record_id = rec_checked.record_id)
"""
MARK_UNPAID_POSTED_SQL = """
UPDATE rec_checked SET error_code = 'records.duplicate'
WHERE error_code IS NULL AND paid_on IS NULL
  AND EXISTS (SELECT 1 FROM contribution c WHERE c.record_id = rec_checked.record_id)
"""
_CREDITED = f"{_POSTED} AND insurance IN ('pension_enterprise', 'pension_resident')"
CREDIT_SQL = f"""
INSERT INTO account_entry (person_id, scheme, year, kind, amount, period, contribution_id,
  posted_on)
SELECT person_id, insurance, credit_year, 'contribution', account_amount, period,
  contribution_id, :today FROM rec_checked WHERE {_CREDITED} AND account_amount > 0
UNION ALL
SELECT person_id, insurance, credit_year, 'subsidy', subsidy_amount, period, contribution_id,
  :today FROM rec_checked WHERE {_CREDITED} AND subsidy_amount > 0
"""
ARREARS_SQL = """
INSERT INTO arrears (batch_id, line, record_id, person_id, employer_id, insurance, period, base,
  employer_amount, personal_amount)
SELECT :batch, line, record_id, person_id, employer_id, insurance, period, base, employer_amount,
  personal_amount
FROM rec_checked WHERE error_code IS NULL AND paid_on IS NULL
"""
# The open arrears this file pays: a hash join of the (few) open arrears with the file's
# posted rows; then the update touches only those arrears.
SETTLE_SQL = f"""
CREATE TEMPORARY TABLE rec_settle AS
SELECT a.id, MIN(k.contribution_id) AS contribution_id
FROM arrears a JOIN rec_checked k ON k.person_id = a.person_id AND k.insurance = a.insurance
  AND k.period = a.period
  AND (k.employer_id = a.employer_id OR (k.employer_id IS NULL AND a.employer_id IS NULL))
WHERE a.settled_at IS NULL AND k.{_POSTED.replace(' AND ', ' AND k.')}
GROUP BY a.id
"""
SETTLED_SQL = """
UPDATE arrears SET settled_at = :now,
  settled_by_id = (SELECT r.contribution_id FROM rec_settle r WHERE r.id = arrears.id)
WHERE id IN (SELECT id FROM rec_settle)
"""


def post(db: Session, batch_id: int, now: dt.datetime, today: dt.date) -> dict[str, int]:
    """Post the checked rows: contributions, account credits, arrears; settle paid arrears."""
    posted = _insert_contributions(db, {"batch": batch_id, "now": now})
    unpaid = db.execute(text("SELECT 1 FROM rec_checked WHERE error_code IS NULL "
                             "AND paid_on IS NULL LIMIT 1")).first()
    if unpaid:
        db.execute(text(MARK_UNPAID_POSTED_SQL))
    db.execute(text(CREDIT_SQL), {"today": today})
    arrears = db.execute(text(ARREARS_SQL), {"batch": batch_id}).rowcount
    open_arrears = db.execute(text("SELECT 1 FROM arrears WHERE settled_at IS NULL LIMIT 1")).first()
    if posted and open_arrears:
        db.execute(text(SETTLE_SQL))
        db.execute(text(SETTLED_SQL), {"now": now})
    return {"posted": posted, "arrears": arrears}


POSTED_TOTALS_SQL = f"""
SELECT insurance, COUNT(*), SUM(employer_amount + personal_amount), SUM(subsidy_amount)
FROM rec_checked WHERE {_POSTED} GROUP BY insurance ORDER BY insurance
"""


def posted_totals(db: Session) -> list[tuple[str, int, int, int]]:
    """(insurance, rows, fen, subsidy fen) of what ``post`` posted from the staged file: the
    contributions and the resident subsidies that came with them, in one GROUP BY."""
    return [(str(i), int(n), int(fen or 0), int(subsidy or 0))
            for i, n, fen, subsidy in db.execute(text(POSTED_TOTALS_SQL))]


def _insert_contributions(db: Session, params: dict) -> int:
    """Insert optimistically: a record id posted by an earlier file is rare, and the unique
    index on contribution.record_id refuses it anyway. Only then are the rows posted before
    marked as duplicates (one join) and the rest inserted again. Checking every row first
    (or ON CONFLICT, a second index probe per row) cost 8 s per million rows."""
    savepoint = db.begin_nested()
    try:
        posted = db.execute(text(POST_SQL), params).rowcount
    except IntegrityError as exc:
        savepoint.rollback()
        if not any(name in str(exc.orig) for name in RECORD_ID_KEYS):
            raise
        db.execute(text(MARK_POSTED_BEFORE_SQL))
        return db.execute(text(POST_SQL), params).rowcount
    savepoint.commit()
    return posted


def refused(db: Session) -> pl.DataFrame:
    rows = db.execute(text("SELECT line, error_code FROM rec_checked "
                           "WHERE error_code IS NOT NULL")).all()
    return pl.DataFrame(rows, schema={"line": pl.Int64, "error_code": pl.String}, orient="row")


# --- the yearly interest run ------------------------------------------------------------------

def _half_up_sql(numerator: str, den: int) -> str:
    return (f"CASE WHEN {numerator} >= 0 THEN (2 * ({numerator}) + {den}) / {2 * den} "
            f"ELSE -((-2 * ({numerator}) + {den}) / {2 * den}) END")


def credit_interest(db: Session, scheme: str, year: int, rate: Decimal,
                    today: dt.date) -> tuple[int, int]:
    """One INSERT … SELECT writes every person's statement for the year, a second the interest
    entries. The caller runs a (scheme, year) once (interest_run, in the same transaction);
    unique keys on statements and interest entries refuse a second run. (persons, fen).

    Money moved by a relationship transfer earns by its month, not as the year's credits: a
    balance transferred in (``transfer_in``, ``period`` its month m) earns (13 − m)/12 of the
    year's rate; an account transferred out took its interest up to the transfer with it
    (``interest_moved``), so only what was credited after the last ``transfer_out`` earns,
    as this year's credits (records.rules.interest_to_month)."""
    tune(db)
    analyze(db, ["account_entry"])
    a, b, den = rules.interest_fraction(rate)
    staying = _half_up_sql(f"((opening * {a} + (credited - moved_in) * {b}) * 12 + moved_in_weighted * {a})",
                           12 * den)
    # CAST: PostgreSQL's SUM of BIGINT is NUMERIC, whose division would not truncate
    after = _half_up_sql(f"(CAST(COALESCE((SELECT SUM(x.amount) FROM account_entry x "
                         f"WHERE x.person_id = s.person_id AND x.scheme = :scheme "
                         f"AND x.year = :year AND x.id > s.cut), 0) AS BIGINT) * {b})", den)
    params = {"scheme": scheme, "year": year, "rate": str(rate), "today": today}
    moved_in = "year = :year AND kind = 'transfer_in' AND period IS NOT NULL"
    db.execute(text(f"""
        INSERT INTO account_year (person_id, scheme, year, opening, credited, interest, closing,
          rate)
        SELECT t.person_id, :scheme, :year, t.opening, t.credited, t.interest,
               t.opening + t.credited + t.interest, :rate
        FROM (SELECT person_id, opening, credited,
                     CASE WHEN cut IS NULL THEN {staying} ELSE {after} END AS interest
              FROM (SELECT person_id,
                      CAST(SUM(CASE WHEN year < :year THEN amount ELSE 0 END) AS BIGINT) AS opening,
                      CAST(SUM(CASE WHEN year = :year THEN amount ELSE 0 END) AS BIGINT) AS credited,
                      CAST(SUM(CASE WHEN {moved_in} THEN amount ELSE 0 END) AS BIGINT) AS moved_in,
                      CAST(SUM(CASE WHEN {moved_in} THEN amount * (13 - period % 100) ELSE 0 END)
                           AS BIGINT) AS moved_in_weighted,
                      MAX(CASE WHEN year = :year AND kind = 'transfer_out' THEN id END) AS cut
                    FROM account_entry WHERE scheme = :scheme AND year <= :year
                    GROUP BY person_id) s) t"""), params)
    db.execute(text("""
        INSERT INTO account_entry (person_id, scheme, year, kind, amount, posted_on)
        SELECT y.person_id, y.scheme, y.year, 'interest', y.interest, :today FROM account_year y
        WHERE y.scheme = :scheme AND y.year = :year AND y.interest <> 0"""), params)
    persons, total = db.execute(text(
        "SELECT COUNT(*), COALESCE(CAST(SUM(interest) AS BIGINT), 0) FROM account_year "
        "WHERE scheme = :scheme AND year = :year"), params).one()
    return int(persons), int(total)


# --- the yearly statements (D§33) ---------------------------------------------------------------
# Each query aggregates one person-id range in the database and streams its groups; proofs.py
# turns them into each person's facts and SM3 digest (neither database has SM3) and writes
# them with write_rows. No query returns a row per contribution or account entry.

def statement_persons(db: Session, year: int, low: int, high: int) -> list[Row]:
    """Persons in [low, high] insured at some time in ``year`` without that year's statement."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    insured = exists().where(Enrollment.person_id == Person.id, Enrollment.start_date <= end,
                             or_(Enrollment.end_date.is_(None), Enrollment.end_date >= start))
    done = exists().where(Proof.person_id == Person.id, Proof.kind == "rights", Proof.year == year)
    return list(db.execute(select(Person.id, Person.name, Person.ssn)
                           .where(Person.id.between(low, high), insured, ~done)
                           .order_by(Person.id)).all())


def statement_months(db: Session, year: int, low: int, high: int) -> Result:
    """Effective contributions (posted, not reversed) up to the end of ``year`` by person,
    insurance and year: distinct months paid, lowest and highest base, amounts."""
    reversal = aliased(Contribution)
    of_year = (Contribution.period // 100).label("year")
    return db.execute(
        select(Contribution.person_id, Contribution.insurance, of_year,
               func.count(func.distinct(Contribution.period)).label("paid"),
               func.min(Contribution.base).label("base_min"),
               func.max(Contribution.base).label("base_max"),
               func.sum(Contribution.employer_amount).label("employer_total"),
               func.sum(Contribution.personal_amount).label("personal_total"))
        .where(Contribution.person_id.between(low, high), Contribution.kind == "posted",
               Contribution.period <= year * 100 + 12,
               Contribution.transfer_out_ref.is_(None),  # moved away: counted at the new place
               ~exists().where(reversal.reverses_id == Contribution.id))
        .group_by(Contribution.person_id, Contribution.insurance, of_year))


def statement_deemed(db: Session, low: int, high: int) -> Result:
    return db.execute(select(DeemedService.person_id, DeemedService.insurance,
                             func.sum(DeemedService.months))
                      .where(DeemedService.person_id.between(low, high),
                             DeemedService.transfer_out_ref.is_(None))
                      .group_by(DeemedService.person_id, DeemedService.insurance))


def statement_accounts(db: Session, year: int, low: int, high: int) -> Result:
    return db.execute(select(AccountYear.person_id, AccountYear.scheme, AccountYear.year,
                             AccountYear.opening, AccountYear.credited, AccountYear.interest,
                             AccountYear.closing, AccountYear.rate)
                      .where(AccountYear.person_id.between(low, high), AccountYear.year == year))


def statement_balances(db: Session, year: int, low: int, high: int) -> Result:
    """Each account's balance at the end of ``year``: its entries up to that year."""
    return db.execute(select(AccountEntry.person_id, AccountEntry.scheme, func.sum(AccountEntry.amount))
                      .where(AccountEntry.person_id.between(low, high), AccountEntry.year <= year)
                      .group_by(AccountEntry.person_id, AccountEntry.scheme))


def person_ranges(db: Session, size: int) -> list[tuple[int, int]]:
    """Inclusive person-id ranges of ``size`` ids covering every person."""
    low, high = db.execute(select(func.min(Person.id), func.max(Person.id))).one()
    if low is None:
        return []
    return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]


def write_rows(db: Session, table: Table, rows: list[dict]) -> None:
    """Insert many rows: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if not is_postgres(db):
        db.execute(insert(table), rows)
        return
    names = list(rows[0])
    cursor = db.connection().connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])
    except psycopg.errors.IntegrityError as exc:  # raw COPY: raise what SQLAlchemy would
        raise IntegrityError(f"COPY {table.name}", None, exc) from exc
