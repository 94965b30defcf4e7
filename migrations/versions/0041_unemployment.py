"""unemployment benefits: the reason an employment ended (终止就业原因) on the enrollment

Revision ID: 0041
Revises: 0034
Create Date: 2026-12-07 12:40:00.000000+00:00

``enrollment.separation`` is the coded reason an employer's enrollment ended (dismissed,
contract_expired, employer_closed, employer_fault, resigned, …): the unemployment claim reads
it to tell an involuntary end of employment from a resignation (《失业保险条例》第十四条).
``unemployment_stabilisation_refund`` holds the job-stabilisation refunds (稳岗返还) decided for
employers, one per employer and contribution year. Awards, payments and the medical premiums
use the existing tables.
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
    op.create_table(
        'unemployment_stabilisation_refund',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('employer_id', sa.Integer(), nullable=False),
        sa.Column('size', sa.String(length=8), nullable=False),
        sa.Column('staff', sa.Integer(), nullable=False),
        sa.Column('contributions', sa.BigInteger(), nullable=False),
        sa.Column('rate', sa.String(length=8), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('bank_account', sa.String(length=40), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['employer_id'], ['employer.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('employer_id', 'year', name='uq_stabilisation_year'),
    )
    op.create_index('ix_unemployment_stabilisation_refund_employer_id',
                    'unemployment_stabilisation_refund', ['employer_id'])


def downgrade() -> None:
    op.drop_index('ix_unemployment_stabilisation_refund_employer_id',
                  table_name='unemployment_stabilisation_refund')
    op.drop_table('unemployment_stabilisation_refund')
    with op.batch_alter_table('enrollment') as batch:
        batch.drop_column('separation')
