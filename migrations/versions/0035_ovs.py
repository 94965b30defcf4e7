"""ovs: a fraud penalty's fund (its recovered money booked in that fund's ledger) and a
challenge's filing limit (known on, last day, the reason for a late filing)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 13:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0035'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('penalty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fund', sa.String(length=24), nullable=True))
    with op.batch_alter_table('oversight_challenge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('known_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('filing_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('late_reason', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('oversight_challenge', schema=None) as batch_op:
        batch_op.drop_column('late_reason')
        batch_op.drop_column('filing_due')
        batch_op.drop_column('known_on')
    with op.batch_alter_table('penalty', schema=None) as batch_op:
        batch_op.drop_column('fund')
