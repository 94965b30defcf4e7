"""Migration 0036 seals the plaintext already there, on SQLite and PostgreSQL, and back."""

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, insert, text

from jingban.core import crypto
from jingban.core.db import make_engine
from jingban.core.migrate import alembic_config
from tests.conftest import _pg_database

PERSON = ("INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality, "
          "household_region, address, phone, status, registered_on) VALUES ('330106199001010011',"
          " 'citizen_id', '330106199001010011', '张三', 'M', '1990-01-01', 'CHN', '330106',"
          " '某路1号', '13812345678', 'active', '2020-01-01')")
PAYLOAD = '{"ssn": "1", "bank_account": "6217000010009991000", "phone": "13812345678"}'
FILLERS = {str: "x", int: 1, bool: False, dt.date: dt.date(2026, 1, 1),
           dt.datetime: dt.datetime(2026, 1, 1)}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
    else:
        yield from _pg_database()


def _case(conn) -> None:
    table = Table("case_file", MetaData(), autoload_with=conn)
    row = {c.name: FILLERS[c.type.python_type] for c in table.c
           if not c.primary_key and not c.nullable}
    conn.execute(insert(table).values({**row, "payload": PAYLOAD}))


def test_0036_seals_existing_values_and_downgrade_opens_them(url):
    engine = make_engine(url)

    def go(revision: str, down: bool = False) -> None:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)

    go("0034")
    with engine.begin() as conn:
        conn.execute(text(PERSON))
        _case(conn)
    go("0036")
    with engine.begin() as conn:
        phone, index = conn.execute(text("SELECT phone, phone_index FROM person")).one()
        payload = conn.execute(text("SELECT payload FROM case_file")).scalar()
    assert crypto.is_sealed(phone) and crypto.open_(phone, "phone") == "13812345678"
    assert index == crypto.blind_index("13812345678")
    assert "13812345678" not in payload and "6217000010009991000" not in payload
    assert crypto.open_json(payload) == PAYLOAD
    go("0034", down=True)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT phone FROM person")).scalar() == "13812345678"
        assert conn.execute(text("SELECT payload FROM case_file")).scalar() == PAYLOAD
    engine.dispose()
