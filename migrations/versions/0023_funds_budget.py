"""funds: budgets (基金预算) per fund, year and version, and their items

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07 05:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'fund_budget',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fund', sa.String(24), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('revises_id', sa.Integer(), sa.ForeignKey('fund_budget.id'), unique=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('basis_from', sa.Integer(), nullable=False),
        sa.Column('basis_to', sa.Integer(), nullable=False),
        sa.Column('basis_months', sa.Integer(), nullable=False),
        sa.Column('opening_balance', sa.BigInteger(), nullable=False),
        sa.Column('prepared_by', sa.String(64), nullable=False),
        sa.Column('submitted_by', sa.String(64)),
        sa.Column('submitted_at', TZ),
        sa.Column('reviewed_by', sa.String(64)),
        sa.Column('reviewed_at', TZ),
        sa.Column('return_reason', sa.String(300), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.UniqueConstraint('fund', 'year', 'version'),
    )
    op.create_table(
        'fund_budget_item',
        sa.Column('budget_id', sa.Integer(), sa.ForeignKey('fund_budget.id'), primary_key=True),
        sa.Column('item', sa.String(24), primary_key=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('actual', sa.BigInteger(), nullable=False),
        sa.Column('estimate', sa.BigInteger(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('note', sa.String(300), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('fund_budget_item')
    op.drop_table('fund_budget')
