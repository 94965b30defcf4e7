"""unemployment benefits: the reason an employment ended (终止就业原因) on the enrollment

Revision ID: 0041
Revises: 0034
Create Date: 2026-12-07 12:40:00.000000+00:00

``enrollment.separation`` is the coded reason an employer's enrollment ended (dismissed,
contract_expired, employer_closed, employer_fault, resigned, …): the unemployment claim reads
it to tell an involuntary end of employment from a resignation (《失业保险条例》第十四条).
Awards, payments and the medical premiums use the existing tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0041'
down_revision: str | Sequence[str] | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('enrollment') as batch:
        batch.add_column(sa.Column('separation', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enrollment') as batch:
        batch.drop_column('separation')
