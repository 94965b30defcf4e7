"""funds: filed monthly reports and published disclosures

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-07 05:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'fund_report',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fund', sa.String(24), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('snapshot', sa.Text(), nullable=False),
        sa.Column('reason', sa.String(300), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('filed_by', sa.String(64), nullable=False),
        sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('fund', 'period', 'version'),
    )
    op.create_table(
        'fund_disclosure',
        sa.Column('year', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('snapshot', sa.Text(), nullable=False),
        sa.Column('published_by', sa.String(64), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('fund_disclosure')
    op.drop_table('fund_report')
