"""agreements: money recovered under a breach decision (追回款到账, R§43)

Revision ID: 0048
Revises: 0042
Create Date: 2026-12-07 16:05:00.000000+00:00

``agreement_breach_repayment`` holds each payment an institution makes back under a decided
``recover`` measure: the fund it is paid into, the amount, the day, the bank slip and the
journal entry that books it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0048'
down_revision: str | Sequence[str] | None = '0042'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'agreement_breach_repayment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('breach_id', sa.Integer(), nullable=False),
        sa.Column('fund', sa.String(length=24), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['breach_id'], ['agreement_breach.id']),
        sa.ForeignKeyConstraint(['entry_id'], ['fund_entry.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_agreement_breach_repayment_breach_id', 'agreement_breach_repayment',
                    ['breach_id'])


def downgrade() -> None:
    op.drop_index('ix_agreement_breach_repayment_breach_id', 'agreement_breach_repayment')
    op.drop_table('agreement_breach_repayment')
