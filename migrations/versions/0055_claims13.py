"""claims13: supplementary settlements (补充结算) of an institution's month

Revision ID: 0055
Revises: 0052
Create Date: 2026-12-07 20:40:00.000000+00:00

``claim_settlement`` gets its number within the month (``sequence``: 1 the first settlement,
2, 3… the supplementary ones) and the amount reinstated by upheld objections it pays; the unique
key becomes (institution, fund, month, number). ``claim_adjustment`` holds each earlier claim
re-split in a supplementary settlement; ``claim_decision.settled_in_id`` the settlement that
paid a reinstated line.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0055'
down_revision: str | Sequence[str] | None = '0052'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('claim_settlement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('reinstated_fen', sa.BigInteger(), nullable=False,
                                      server_default='0'))
        batch_op.drop_constraint('uq_claim_settlement_institution_id_fund_period', type_='unique')
        batch_op.create_unique_constraint(
            'uq_claim_settlement_institution_id_fund_period_sequence',
            ['institution_id', 'fund', 'period', 'sequence'])
    with op.batch_alter_table('claim_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settled_in_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_claim_decision_settled_in_id_claim_settlement',
                                    'claim_settlement', ['settled_in_id'], ['id'])
    op.create_table(
        'claim_adjustment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('settlement_id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('ytd_before_fen', sa.BigInteger(), nullable=False),
        sa.Column('accepted_fen', sa.BigInteger(), nullable=False),
        sa.Column('fund_fen', sa.BigInteger(), nullable=False),
        sa.Column('person_fen', sa.BigInteger(), nullable=False),
        sa.Column('split', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claim.id'],
                                name='fk_claim_adjustment_claim_id_claim'),
        sa.ForeignKeyConstraint(['settlement_id'], ['claim_settlement.id'],
                                name='fk_claim_adjustment_settlement_id_claim_settlement'),
        sa.PrimaryKeyConstraint('id', name='pk_claim_adjustment'),
        sa.UniqueConstraint('settlement_id', 'claim_id',
                            name='uq_claim_adjustment_settlement_id_claim_id'),
    )
    op.create_index('ix_claim_adjustment_settlement_id', 'claim_adjustment', ['settlement_id'])
    op.create_index('ix_claim_adjustment_claim_id', 'claim_adjustment', ['claim_id'])


def downgrade() -> None:
    op.drop_index('ix_claim_adjustment_claim_id', 'claim_adjustment')
    op.drop_index('ix_claim_adjustment_settlement_id', 'claim_adjustment')
    op.drop_table('claim_adjustment')
    with op.batch_alter_table('claim_decision', schema=None) as batch_op:
        batch_op.drop_constraint('fk_claim_decision_settled_in_id_claim_settlement',
                                 type_='foreignkey')
        batch_op.drop_column('settled_in_id')
    with op.batch_alter_table('claim_settlement', schema=None) as batch_op:
        batch_op.drop_constraint('uq_claim_settlement_institution_id_fund_period_sequence',
                                 type_='unique')
        batch_op.create_unique_constraint('uq_claim_settlement_institution_id_fund_period',
                                          ['institution_id', 'fund', 'period'])
        batch_op.drop_column('reinstated_fen')
        batch_op.drop_column('sequence')
