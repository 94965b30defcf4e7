"""The registry's phones and source rows at rest (issue 14): migration 0056 seals what is
there in batches and leaves what is sealed alone, on SQLite and PostgreSQL, and back; the
ORM seals new values with their blind index; ``jingban keys rotate`` covers the columns."""

from __future__ import annotations

from alembic import command
from sqlalchemy import MetaData, Table, insert, select, text

from jingban.core import crypto, keys
from jingban.core.db import make_engine
from jingban.core.migrate import alembic_config
from jingban.enrollment.models import RegistryEntry, SourceRecord
from jingban.models import metadata
from tests.core.test_secdata_migration import FILLERS, url  # noqa: F401 (the fixture)

PHONE, OTHER = "13912345678", "13700001111"
RAW = "330106199001010011,王伟,男,1990-01-01,330106,13912345678"


def _row(conn, table: str, **values) -> None:
    found = Table(table, MetaData(), autoload_with=conn)
    row = {c.name: FILLERS[c.type.python_type] for c in found.c
           if not c.primary_key and not c.nullable and c.name not in values}
    conn.execute(insert(found).values({**row, **values}))


def test_0056_seals_the_registry_and_downgrade_opens_it(url):  # noqa: F811
    engine = make_engine(url)

    def go(revision: str, down: bool = False) -> None:
        with engine.begin() as conn:
            (cfg := alembic_config()).attributes["connection"] = conn
            getattr(command, "downgrade" if down else "upgrade")(cfg, revision)

    go("0052")
    sealed = crypto.seal(RAW, "source_row")  # already sealed (an interrupted run): left as it is
    with engine.begin() as conn:
        _row(conn, "registry_entry", anchor="a1", phone=PHONE)
        _row(conn, "registry_entry", anchor="a2", phone=OTHER)
        _row(conn, "registry_source_record", source_key="k1", phone=PHONE, raw=RAW)
        _row(conn, "registry_source_record", source_key="k2", phone="", raw=sealed)
    go("0056")
    with engine.begin() as conn:
        entries = conn.execute(text("SELECT phone, phone_index FROM registry_entry ORDER BY id")).all()
        record, other = conn.execute(text(
            "SELECT phone, phone_index, raw FROM registry_source_record ORDER BY id")).all()
    assert crypto.open_(entries[0][0], "phone") == PHONE and entries[0][1] == crypto.blind_index(PHONE)
    assert crypto.open_(entries[1][0], "phone") == OTHER and entries[1][1] == crypto.blind_index(OTHER)
    assert other == ("", None, sealed)
    assert PHONE not in repr(record) and crypto.open_(record[2], "source_row") == RAW
    assert record[1] == crypto.blind_index(PHONE)
    go("0052", down=True)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT phone, raw FROM registry_source_record ORDER BY id")).all() == [
            (PHONE, RAW), ("", RAW)]
        assert conn.execute(text("SELECT phone FROM registry_entry ORDER BY id")).scalars().all() == [
            PHONE, OTHER]
    engine.dispose()


def test_new_rows_are_sealed_with_their_blind_index(db):
    record = SourceRecord(source="police", source_key="file:1:2", phone=PHONE, raw=RAW)
    entry = RegistryEntry(anchor="rec:x", phone=PHONE)
    db.add_all([record, entry])
    db.flush()
    raw = db.execute(text("SELECT phone, phone_index, raw FROM registry_source_record")).one()
    assert PHONE not in repr(raw) and raw[1] == crypto.blind_index(PHONE)
    entry.phone = OTHER
    db.flush()
    assert db.execute(text("SELECT phone_index FROM registry_entry")).scalar() == crypto.blind_index(OTHER)
    db.expire_all()
    assert db.execute(select(SourceRecord.phone, SourceRecord.raw)).one() == (PHONE, RAW)


def test_key_rotation_covers_the_registry_columns():
    names = {(c.table.name, c.column, c.index) for c in keys.sealed_columns(metadata)}
    assert {("registry_entry", "phone", "phone_index"), ("registry_source_record", "phone", "phone_index"),
            ("registry_source_record", "raw", None)} <= names
