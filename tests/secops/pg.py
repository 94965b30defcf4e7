"""Throwaway PostgreSQL databases for the drills: created empty or as a copy of another
(CREATE DATABASE … TEMPLATE, a file copy), dropped at the end; and a fingerprint of a
database's contents (row counts and money sums per table) to compare two runs by."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import Integer, create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL

# Written once per act, never part of "the effect": the chain's length differs with the
# number of attempts (each range and each rerun records its own event) — it is verified instead.
UNCOMPARED = {"audit_event", "audit_head", "access_log", "alembic_version"}
MONEY = {"amount", "gross", "net", "deduction", "interest", "employer_amount", "personal_amount",
         "account_amount", "base", "principal", "persons", "posted", "total", "months"}


class Databases:
    def __init__(self):
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def create(self, template: str | None = None) -> str:
        name = f"jingban_drill_{uuid.uuid4().hex[:10]}"
        source = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{source}'))
        self.made.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def databases_or_skip() -> Databases:
    made = Databases()
    try:
        with made.admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        made.admin.dispose()
        if os.environ.get("JINGBAN_REQUIRE_PG") == "1":
            pytest.fail(f"JINGBAN_REQUIRE_PG=1 but PostgreSQL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}; the PostgreSQL drills are skipped")
    return made


def fingerprint(url: str) -> dict[str, tuple]:
    """Per table (except UNCOMPARED): the row count and the sum of each money column."""
    engine = create_engine(url)
    found = {}
    with engine.connect() as conn:
        for table in sorted(set(inspect(conn).get_table_names()) - UNCOMPARED):
            columns = [c["name"] for c in inspect(conn).get_columns(table)
                       if c["name"] in MONEY and isinstance(c["type"], Integer)]
            sums = "".join(f', coalesce(sum("{c}"), 0)' for c in columns)
            found[table] = tuple(conn.execute(text(f'SELECT count(*){sums} FROM "{table}"')).one())
    engine.dispose()
    return found
