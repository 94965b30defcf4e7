"""secaudit: the employer's phone gets a keyed SM3 blind index like the person's; the bank
account of a job-stabilisation refund is sealed like every other bank account

Revision ID: 0051
Revises: 0042
Create Date: 2026-12-07 16:10:00.000000+00:00

``employer.phone_index`` holds ``blind_index(phone)`` (see ``jingban.core.crypto``), so that
staff search finds a unit by its phone number while the phone stays sealed. The index of the
rows already there is computed here, a batch at a time, from the sealed phone opened with the
data key (``JINGBAN_DATA_KEY`` or the key file, never the database).
``unemployment_stabilisation_refund.bank_account`` (the unit's account, copied from the sealed
``employer.bank_account``) was stored in clear: it is widened and sealed in batches.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jingban.core import crypto

revision: str = '0051'
down_revision: str | None = '0042'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_index', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_employer_phone_index'), ['phone_index'],
                              unique=False)
    bind = op.get_bind()
    last = 0
    while rows := bind.execute(sa.text(
            "SELECT id, phone FROM employer WHERE id > :last AND phone <> '' "
            f"ORDER BY id LIMIT {BATCH}"), {'last': last}).all():
        bind.execute(sa.text('UPDATE employer SET phone_index = :idx WHERE id = :id'), [
            {'id': row.id, 'idx': crypto.blind_index(crypto.open_(row.phone, 'phone'))}
            for row in rows])
        last = rows[-1].id
    _seal_refund_accounts()


def _seal_refund_accounts() -> None:
    bind = op.get_bind()
    table = 'unemployment_stabilisation_refund'
    if bind.dialect.name == 'sqlite':  # add, copy, drop, rename (as 0036 does)
        op.execute(f"ALTER TABLE {table} ADD COLUMN bank_sealed VARCHAR(200) NOT NULL DEFAULT ''")
        op.execute(f'UPDATE {table} SET bank_sealed = bank_account')
        op.execute(f'ALTER TABLE {table} DROP COLUMN bank_account')
        op.execute(f'ALTER TABLE {table} RENAME COLUMN bank_sealed TO bank_account')
    else:
        op.alter_column(table, 'bank_account', type_=sa.String(200), existing_nullable=False)
    last = 0
    while rows := bind.execute(sa.text(
            f"SELECT id, bank_account FROM {table} WHERE id > :last AND bank_account <> '' "
            f"AND bank_account NOT LIKE 'sm4g1:%' ORDER BY id LIMIT {BATCH}"),
            {'last': last}).all():
        bind.execute(sa.text(f'UPDATE {table} SET bank_account = :value WHERE id = :id'), [
            {'id': row.id, 'value': crypto.seal(row.bank_account, 'bank_account')}
            for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    bind = op.get_bind()
    table = 'unemployment_stabilisation_refund'
    rows = bind.execute(sa.text(
        f"SELECT id, bank_account FROM {table} WHERE bank_account LIKE 'sm4g1:%'")).all()
    if rows:
        bind.execute(sa.text(f'UPDATE {table} SET bank_account = :value WHERE id = :id'), [
            {'id': row.id, 'value': crypto.open_(row.bank_account, 'bank_account')}
            for row in rows])
    if bind.dialect.name != 'sqlite':
        op.alter_column(table, 'bank_account', type_=sa.String(40), existing_nullable=False)
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_phone_index'))
        batch_op.drop_column('phone_index')
