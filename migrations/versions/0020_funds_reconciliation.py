"""funds: reconciliation records, statements, their rows and differences

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 01:57:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'fund_reconciliation',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fund', sa.String(24), nullable=False),
        sa.Column('account', sa.String(12), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('ledger_balance', sa.BigInteger(), nullable=False),
        sa.Column('statement_balance', sa.BigInteger(), nullable=False),
        sa.Column('updated_by', sa.String(64), nullable=False),
        sa.Column('updated_at', TZ, nullable=False),
        sa.UniqueConstraint('fund', 'account', 'period'),
    )
    op.create_table(
        'fund_statement',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('reconciliation_id', sa.Integer(), sa.ForeignKey('fund_reconciliation.id'),
                  nullable=False, index=True),
        sa.Column('filename', sa.String(200), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('encoding', sa.String(8), nullable=False),
        sa.Column('uploaded_by', sa.String(64), nullable=False),
        sa.Column('received_at', TZ, nullable=False),
        sa.Column('superseded_at', TZ),
        sa.UniqueConstraint('reconciliation_id', 'sha256'),
    )
    op.create_table(
        'fund_statement_row',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('statement_id', sa.Integer(), sa.ForeignKey('fund_statement.id'), nullable=False,
                  index=True),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('raw', sa.String(500), nullable=False),
        sa.Column('txn_on', sa.Date()),
        sa.Column('amount', sa.BigInteger()),
        sa.Column('direction', sa.String(3)),
        sa.Column('summary', sa.String(200), nullable=False),
        sa.Column('reference', sa.String(80), nullable=False),
        sa.Column('problem_field', sa.String(12)),
        sa.Column('problem', sa.String(200)),
        sa.Column('ledger_line_id', sa.Integer(), sa.ForeignKey('fund_entry_line.id')),
    )
    op.create_table(
        'fund_recon_difference',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('statement_id', sa.Integer(), sa.ForeignKey('fund_statement.id'), nullable=False,
                  index=True),
        sa.Column('kind', sa.String(24), nullable=False),
        sa.Column('row_id', sa.Integer(), sa.ForeignKey('fund_statement_row.id')),
        sa.Column('ledger_line_id', sa.Integer(), sa.ForeignKey('fund_entry_line.id')),
        sa.Column('entry_id', sa.Integer(), sa.ForeignKey('fund_entry.id')),
        sa.Column('direction', sa.String(3), nullable=False),
        sa.Column('statement_amount', sa.BigInteger()),
        sa.Column('ledger_amount', sa.BigInteger()),
        sa.Column('statement_on', sa.Date()),
        sa.Column('ledger_on', sa.Date()),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('reason', sa.String(300), nullable=False),
        sa.Column('resolved_by', sa.String(64)),
        sa.Column('resolved_at', TZ),
    )


def downgrade() -> None:
    for table in ('fund_recon_difference', 'fund_statement_row', 'fund_statement',
                  'fund_reconciliation'):
        op.drop_table(table)
