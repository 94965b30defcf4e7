"""medical and maternity benefits: manual reimbursements, chronic recognitions, pregnancies

Revision ID: 0047
Revises: 0042
Create Date: 2026-12-07 16:10:00.000000+00:00

``medical_manual_claim`` and ``medical_manual_line`` hold the medical manual reimbursements
(手工报销) with the invoice lines entered and each invoice's split; ``medical_chronic_recognition``
the chronic and special outpatient recognitions (门诊慢特病认定); ``maternity_pregnancy`` the
pregnancy records (生育登记) a maternity allowance rests on. Payments use the common award and
payment tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0047'
down_revision: str | Sequence[str] | None = '0042'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'medical_manual_claim',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('award_id', sa.Integer(), nullable=True),
        sa.Column('fund', sa.String(length=24), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('total_fen', sa.BigInteger(), nullable=False),
        sa.Column('fund_fen', sa.BigInteger(), nullable=False),
        sa.Column('person_fen', sa.BigInteger(), nullable=False),
        sa.Column('chronic_deductible_fen', sa.BigInteger(), nullable=False),
        sa.Column('ytd_before_fen', sa.BigInteger(), nullable=False),
        sa.Column('bills', sa.Text(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id']),
        sa.ForeignKeyConstraint(['award_id'], ['benefit_award.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_medical_manual_claim_person_id', 'medical_manual_claim', ['person_id'])
    op.create_table(
        'medical_manual_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('invoice_no', sa.String(length=40), nullable=False),
        sa.Column('hospital', sa.String(length=100), nullable=False),
        sa.Column('service_on', sa.Date(), nullable=False),
        sa.Column('inpatient', sa.Boolean(), nullable=False),
        sa.Column('diagnosis', sa.String(length=20), nullable=False),
        sa.Column('item', sa.String(length=100), nullable=False),
        sa.Column('category', sa.String(length=2), nullable=False),
        sa.Column('self_pay_bp', sa.Integer(), nullable=True),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['medical_manual_claim.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_medical_manual_line_claim_id', 'medical_manual_line', ['claim_id'])
    op.create_table(
        'medical_chronic_recognition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('disease', sa.String(length=12), nullable=False),
        sa.Column('hospital', sa.String(length=100), nullable=False),
        sa.Column('diagnosed_on', sa.Date(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_medical_chronic_recognition_person_id', 'medical_chronic_recognition',
                    ['person_id'])
    op.create_table(
        'maternity_pregnancy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('registered_on', sa.Date(), nullable=False),
        sa.Column('expected_on', sa.Date(), nullable=False),
        sa.Column('hospital', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_maternity_pregnancy_person_id', 'maternity_pregnancy', ['person_id'])


def downgrade() -> None:
    op.drop_index('ix_maternity_pregnancy_person_id', table_name='maternity_pregnancy')
    op.drop_table('maternity_pregnancy')
    op.drop_index('ix_medical_chronic_recognition_person_id', table_name='medical_chronic_recognition')
    op.drop_table('medical_chronic_recognition')
    op.drop_index('ix_medical_manual_line_claim_id', table_name='medical_manual_line')
    op.drop_table('medical_manual_line')
    op.drop_index('ix_medical_manual_claim_person_id', table_name='medical_manual_claim')
    op.drop_table('medical_manual_claim')
