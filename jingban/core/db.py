"""Engine, sessions, the declarative Base and the one-transaction-per-act rule."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import MetaData, create_engine, event, inspect, text
from sqlalchemy import types as sqltypes  # fuzzload
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME  # fuzzload
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from jingban.core import anchor, crypto
from jingban.core.config import Settings
from jingban.core.errors import Conflict

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling lets a SAVEPOINT commit early; take it over
        # (SQLAlchemy's documented recipe) so savepoints and rollbacks behave as on PostgreSQL.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        engine.dialect.colspecs = {**engine.dialect.colspecs, sqltypes.DateTime: _UtcDateTime}  # fuzzload
        return engine
    return create_engine(url, pool_pre_ping=True)


class _UtcDateTime(SQLITE_DATETIME):  # fuzzload
    """SQLite keeps no offset: a ``DateTime(timezone=True)`` value (written in UTC, clock.now)
    is read back as UTC, as PostgreSQL returns it, so the API answers an RFC 3339 date-time."""

    cache_ok = True

    def result_processor(self, dialect, coltype):
        parse = super().result_processor(dialect, coltype)
        if not self.timezone:
            return parse

        def process(value):
            value = parse(value) if parse else value
            return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value

        return process


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: Engine, settings: Settings) -> sessionmaker[Session]:
    """Sessions carry the agency's region and calendar (see core.agency)."""
    info = {"region": settings.region, "calendar_dirs": settings.calendar_dirs}
    if settings.audit_anchor is not None:  # secops: the chain head anchored after each commit
        info[anchor.INFO_KEY] = (settings.audit_anchor, settings.secret_key)
    return sessionmaker(engine, expire_on_commit=False, info=info)


P = ParamSpec("P")
BUSY_ATTEMPTS = 4  # a rolled-back act is whole, so running it again on a fresh snapshot is safe
BUSY_PAUSE = 0.05  # seconds, times the attempt


def is_busy(exc: OperationalError) -> bool:
    """A lock or snapshot clash that a fresh transaction clears: SQLite's "database is locked"
    when a read transaction must upgrade after another writer committed (busy_timeout cannot
    wait that out), PostgreSQL's serialization failure and lock timeouts."""
    message = str(exc).lower()
    return "lock" in message or "serializ" in message


def retry_busy(db: Session, step: Callable[[], R]) -> R:
    """Run a short step outside any act (a sign-in, a session touch) again when it is busy."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return step()
        except OperationalError as exc:
            db.rollback()
            if not is_busy(exc) or attempt == BUSY_ATTEMPTS:
                raise
            time.sleep(BUSY_PAUSE * attempt)
    raise AssertionError("unreachable")
R = TypeVar("R")


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a service act as one transaction: commit on success, roll back on any error.

    Acts called from inside another act join the caller's transaction. A unique-key
    violation (two identical submissions racing) becomes a Conflict, never a 500.
    """

    @functools.wraps(fn)
    def wrapper(db: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        if db.info.get("in_act"):
            return fn(db, *args, **kwargs)
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            db.info["in_act"] = True
            try:
                result = fn(db, *args, **kwargs)
                db.commit()
                return result
            except IntegrityError:
                db.rollback()
                raise Conflict("db.conflict", "数据已被他人修改或重复提交，请刷新后重试") from None
            except OperationalError as exc:
                db.rollback()
                if not is_busy(exc):
                    raise
                if attempt == BUSY_ATTEMPTS:
                    raise Conflict("db.busy", "系统繁忙，数据正被他人修改，请稍后重试") from None
                time.sleep(BUSY_PAUSE * attempt)
            except BaseException:
                db.rollback()
                raise
            finally:
                db.info["in_act"] = False
        raise AssertionError("unreachable")

    return wrapper  # type: ignore[return-value]


def plain(value: Any) -> Any:
    """A column value as JSON-friendly data (for audit snapshots and history)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """Every column of a row, as plain data."""
    return {c.key: plain(crypto.snapshot_value(c.columns[0], getattr(obj, c.key)))  # secdata
            for c in inspect(obj).mapper.column_attrs}


def is_postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def analyze(db: Session, tables: list[str]) -> None:
    """Statistics for rows a batch has just written (PostgreSQL only). Temporary tables are never
    auto-analyzed, and autovacuum reaches a fresh month of payments too late: without statistics
    the planner expects a few hundred rows and picks nested loops over the whole month."""
    if is_postgres(db) and tables:
        db.execute(text(f"ANALYZE {', '.join(tables)}"))
