"""secdata: phones and bank accounts sealed with SM4-GCM, the phone's blind index, the reason
of a read (查询留痕)

Revision ID: 0036
Revises: 0034
Create Date: 2026-12-07 13:00:00.000000+00:00

Every phone and bank account column is widened to hold a sealed value
(``sm4g1:<kid>:<base64>``, see ``jingban.core.crypto``) and the plaintext already there is
sealed in batches of 1,000 rows; ``person.phone_index`` gets the keyed SM3 index; the phones
and accounts inside the cases' request documents (``case_file.payload``) are sealed too. A rerun
seals nothing twice (a sealed value carries its prefix). The key comes from
``JINGBAN_DATA_KEY`` or the key file, never from the database. On SQLite the column is
replaced in place (add, copy, drop, rename: SQLite 3.35+), because recreating a referenced
table is refused while foreign keys are enforced.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jingban.core import crypto

revision: str = '0036'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
# table, column, kind, length before
SEALED = (
    ('person', 'phone', 'phone', 32),
    ('employer', 'phone', 'phone', 32),
    ('employer', 'bank_account', 'bank_account', 40),
    ('benefit_award', 'bank_account', 'bank_account', 40),
    ('benefit_payment', 'bank_account', 'bank_account', 40),
    ('benefit_refund', 'bank_account', 'bank_account', 40),
    ('benefit_stop_report', 'reporter_phone', 'phone', 32),
    ('oversight_complaint', 'reporter_phone', 'phone', 32),
    ('outbox', 'address', 'phone', 100),  # copied from person.phone by INSERT … SELECT
)


def _widen(table: str, column: str, length: int) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column(table, column, type_=sa.String(length), existing_nullable=False)
        return
    tmp = f'{column}_sealed'
    op.execute(f"ALTER TABLE {table} ADD COLUMN {tmp} VARCHAR({length}) NOT NULL DEFAULT ''")
    op.execute(f'UPDATE {table} SET {tmp} = {column}')
    op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    op.execute(f'ALTER TABLE {table} RENAME COLUMN {tmp} TO {column}')


def _seal(table: str, column: str, kind: str) -> None:
    """Seal the plaintext values, a batch at a time (each batch its own statement set)."""
    bind = op.get_bind()
    index = table == 'person' and column == 'phone'
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f"SELECT id, {column} FROM {table} WHERE id > :last AND {column} <> '' "
            f"AND {column} NOT LIKE 'sm4g1:%' ORDER BY id LIMIT {BATCH}"), {'last': last}).all()
        if not rows:
            return
        sets = f'{column} = :value' + (', phone_index = :idx' if index else '')
        bind.execute(sa.text(f'UPDATE {table} SET {sets} WHERE id = :id'), [
            {'id': row.id, 'value': crypto.seal(row[1], kind),
             'idx': crypto.blind_index(row[1])} for row in rows])
        last = rows[-1].id


def _seal_documents(table: str, column: str, seal) -> None:
    """The phones and accounts inside a JSON document (a case's request), a batch at a time."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f"SELECT id, {column} FROM {table} WHERE id > :last AND ({column} LIKE '%phone%' "
            f"OR {column} LIKE '%bank_account%') ORDER BY id LIMIT {BATCH}"), {'last': last}).all()
        if not rows:
            return
        changed = [{'id': row.id, 'value': new} for row in rows if (new := seal(row[1])) != row[1]]
        if changed:
            bind.execute(sa.text(f'UPDATE {table} SET {column} = :value WHERE id = :id'), changed)
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_index', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_phone_index'), ['phone_index'], unique=False)
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=300), nullable=False,
                                      server_default=''))
    for table, column, kind, _ in SEALED:
        _widen(table, column, 200)
        _seal(table, column, kind)
    _seal_documents('case_file', 'payload', crypto.seal_json)


def downgrade() -> None:
    bind = op.get_bind()
    _seal_documents('case_file', 'payload', crypto.open_json)
    for table, column, kind, length in SEALED:
        rows = bind.execute(sa.text(
            f"SELECT id, {column} FROM {table} WHERE {column} LIKE 'sm4g1:%'")).all()
        if rows:
            bind.execute(sa.text(f'UPDATE {table} SET {column} = :value WHERE id = :id'), [
                {'id': row.id, 'value': crypto.open_(row[1], kind)} for row in rows])
        _widen(table, column, length)
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_phone_index'))
        batch_op.drop_column('phone_index')
