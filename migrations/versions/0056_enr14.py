"""enr14: the enrollment registry's phones sealed like the person's, with a blind index; the
source rows' text as received sealed too (it holds citizen IDs and phones)

Revision ID: 0056
Revises: 0052
Create Date: 2026-12-07 20:50:00.000000+00:00

``registry_entry.phone`` and ``registry_source_record.phone`` are widened for SM4-GCM
(``jingban.core.crypto.Sealed``) and get ``phone_index`` (``blind_index(phone)``);
``registry_source_record.raw`` is sealed as kind ``source_row``. Existing rows are sealed a
batch at a time with the data key (``JINGBAN_DATA_KEY`` or the key file, never the
database); a value already sealed is left alone, so a rerun after an interrupt goes on with
what is left. ``jingban keys rotate`` re-seals these columns like every other sealed one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jingban.core import crypto

revision: str = '0056'
down_revision: str | None = '0052'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
TABLES = ('registry_entry', 'registry_source_record')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('phone', type_=sa.String(200), existing_nullable=False)
            batch_op.add_column(sa.Column('phone_index', sa.String(length=80), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_phone_index'), ['phone_index'],
                                  unique=False)
    with op.batch_alter_table('registry_source_record', schema=None) as batch_op:
        batch_op.alter_column('raw', type_=sa.String(), existing_nullable=False)
    for table in TABLES:
        _seal(table, 'phone', 'phone', index=True)
    _seal('registry_source_record', 'raw', 'source_row', index=False)


def _seal(table: str, column: str, kind: str, *, index: bool) -> None:
    """Every value in clear sealed, a batch at a time (idempotent: sealed values are skipped)."""
    bind = op.get_bind()
    also = ', phone_index = :idx' if index else ''
    last = 0
    while rows := bind.execute(sa.text(
            f"SELECT id, {column} AS value FROM {table} WHERE id > :last AND {column} <> '' "
            f"AND {column} NOT LIKE 'sm4g1:%' ORDER BY id LIMIT {BATCH}"), {'last': last}).all():
        bind.execute(sa.text(f'UPDATE {table} SET {column} = :value{also} WHERE id = :id'), [
            {'id': row.id, 'value': crypto.seal(row.value, kind), 'idx': crypto.blind_index(row.value)}
            for row in rows])
        last = rows[-1].id


def _open(table: str, column: str, kind: str) -> None:
    bind = op.get_bind()
    last = 0
    while rows := bind.execute(sa.text(
            f"SELECT id, {column} AS value FROM {table} WHERE id > :last AND {column} LIKE 'sm4g1:%' "
            f"ORDER BY id LIMIT {BATCH}"), {'last': last}).all():
        bind.execute(sa.text(f'UPDATE {table} SET {column} = :value WHERE id = :id'), [
            {'id': row.id, 'value': crypto.open_(row.value, kind)} for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    _open('registry_source_record', 'raw', 'source_row')
    with op.batch_alter_table('registry_source_record', schema=None) as batch_op:
        batch_op.alter_column('raw', type_=sa.Text(), existing_nullable=False)
    for table in TABLES:
        _open(table, 'phone', 'phone')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_phone_index'))
            batch_op.drop_column('phone_index')
            batch_op.alter_column('phone', type_=sa.String(32), existing_nullable=False)
