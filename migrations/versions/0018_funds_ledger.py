"""funds: the ledger — journal entries per insurance fund, their lines, closed periods

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 16:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'fund_entry',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fund', sa.String(24), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('entry_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('source', sa.String(80), nullable=False, unique=True),
        sa.Column('memo', sa.String(300), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('reverses_id', sa.Integer(), sa.ForeignKey('fund_entry.id'), unique=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('case_file.id')),
        sa.Column('booked_by', sa.String(64), nullable=False),
        sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_fund_entry_fund_period', 'fund_entry', ['fund', 'period'])
    op.create_table(
        'fund_entry_line',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('entry_id', sa.Integer(), sa.ForeignKey('fund_entry.id'), nullable=False),
        sa.Column('account', sa.Integer(), nullable=False),
        sa.Column('debit', sa.BigInteger(), nullable=False),
        sa.Column('credit', sa.BigInteger(), nullable=False),
    )
    op.create_index('ix_fund_entry_line_entry_id', 'fund_entry_line', ['entry_id'])
    op.create_table(
        'fund_closed_period',
        sa.Column('fund', sa.String(24), primary_key=True),
        sa.Column('period', sa.Integer(), primary_key=True),
        sa.Column('closed_by', sa.String(64), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('fund_closed_period')
    op.drop_index('ix_fund_entry_line_entry_id', 'fund_entry_line')
    op.drop_table('fund_entry_line')
    op.drop_index('ix_fund_entry_fund_period', 'fund_entry')
    op.drop_table('fund_entry')
