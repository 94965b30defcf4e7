"""benefit refunds: what was recovered on a cancelled debt, paid back once (wrong match)

Revision ID: 0010b
Revises: 0010
Create Date: 2026-11-24 10:53:19.428604+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010b'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('benefit_refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('bank_account', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['debt_id'], ['benefit_debt.id'], name=op.f('fk_benefit_refund_debt_id_benefit_debt')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_refund_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_refund')),
    sa.UniqueConstraint('debt_id', name=op.f('uq_benefit_refund_debt_id'))
    )
    with op.batch_alter_table('benefit_refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_refund_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('benefit_refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_refund_person_id'))

    op.drop_table('benefit_refund')