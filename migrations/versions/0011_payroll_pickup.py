"""payroll pickup: a refund carries the payroll run whose bank file pays it (NULL = pending)

Back pay and adjustments already have benefit_payment.run_id. Refunds made before this
revision have run_id NULL and so are sent with the next payroll run, as they never reached
the bank.

Revision ID: 0011
Revises: 0010b
Create Date: 2026-11-24 11:14:33.238479+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('benefit_refund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_benefit_refund_run_id'), ['run_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_benefit_refund_run_id_payroll_run'),
                                    'payroll_run', ['run_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('benefit_refund', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_benefit_refund_run_id_payroll_run'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_benefit_refund_run_id'))
        batch_op.drop_column('run_id')
