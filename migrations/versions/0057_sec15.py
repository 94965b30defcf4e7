"""sec15: a random opaque ``person.public_id`` for staff URLs, instead of the SSN

Revision ID: 0057_sec15
Revises: 0052
Create Date: 2026-12-07 21:05:00.000000+00:00

Staff pages named a person by his SSN in the URL (``/persons/330106…/rights``), which lands in
access logs, browser history and Referer headers (等保 level 3, personal data). Each person gets
80 random bits as 16 lowercase base32 characters (``jingban.core.privacy.new_public_id``),
unique and indexed; the rows already there are filled here, a batch at a time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jingban.core.privacy import new_public_id

revision: str = '0057_sec15'
down_revision: str | None = '0052'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=16), nullable=True))
    bind = op.get_bind()
    while ids := bind.execute(sa.text(
            f"SELECT id FROM person WHERE public_id IS NULL ORDER BY id LIMIT {BATCH}")).scalars().all():
        bind.execute(sa.text("UPDATE person SET public_id = :pid WHERE id = :id"),
                     [{'id': i, 'pid': new_public_id()} for i in ids])
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_public_id'), ['public_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_public_id'))
        batch_op.drop_column('public_id')
