"""benefits: payments returned by the bank (银行退回), re-sent by the next run

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-07 05:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'benefit_payment_return',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('payroll_run.id'), nullable=False),
        sa.Column('reference', sa.String(64), nullable=False, unique=True),
        sa.Column('item_kind', sa.String(16), nullable=False),
        sa.Column('item_id', sa.BigInteger(), nullable=False),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('person.id'), nullable=False),
        sa.Column('award_id', sa.Integer(), sa.ForeignKey('benefit_award.id')),
        sa.Column('fund', sa.String(24), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(200), nullable=False),
        sa.Column('returned_on', sa.Date(), nullable=False),
        sa.Column('reissue_run_id', sa.Integer(), sa.ForeignKey('payroll_run.id')),
        sa.Column('paid_on', sa.Date()),
        sa.Column('recorded_by', sa.String(64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_benefit_payment_return_run_id', 'benefit_payment_return', ['run_id'])
    op.create_index('ix_benefit_payment_return_person_id', 'benefit_payment_return',
                    ['person_id'])
    op.create_index('ix_benefit_payment_return_reissue_run_id', 'benefit_payment_return',
                    ['reissue_run_id'])


def downgrade() -> None:
    op.drop_table('benefit_payment_return')
