"""benefits, transfers: due dates of verification tasks, debts and transfers say when they are provisional

A due date counted into a year whose holiday schedule the agency has not loaded uses plain
weekdays (SPEC §13); like cases and stop reports, these rows now record that, so pages, API
and notices can say the date is provisional. Existing rows start as not provisional: the
calendar they were counted on is not in the database.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('verification_task', 'benefit_debt', 'transfer')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('due_provisional', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('due_provisional')
