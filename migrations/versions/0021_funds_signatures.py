"""funds: signatures on vouchers (cashier confirms, reviewer approves)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 05:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'fund_entry_sign',
        sa.Column('entry_id', sa.Integer(), sa.ForeignKey('fund_entry.id'), primary_key=True),
        sa.Column('step', sa.String(12), primary_key=True),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('fund_entry_sign')
