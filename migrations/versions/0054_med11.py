"""medical: the end (撤销 or 终止) of a chronic and special outpatient recognition

Revision ID: 0054_med11
Revises: 0052
Create Date: 2026-12-07 20:45:00.000000+00:00

``medical_chronic_recognition`` gains the end of a recognition decided through the case
BEN-MEDICAL-CHRONIC-END: the first day it is no longer in force, the reason, the case, the date
and who decided. ``valid_to`` keeps the validity as granted.

``medical_manual_line`` gains the claim review of each invoice line (Z-6: item code, quantity,
the rules' flags and the reviewer's decision); ``medical_line_decision`` holds the reviewer's
decisions on flagged lines of a manual reimbursement still under review.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0054_med11'
down_revision: str | Sequence[str] | None = '0052'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'medical_chronic_recognition'


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column('ended_from', sa.Date(), nullable=True))
        batch.add_column(sa.Column('end_reason', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('end_case_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('ended_by', sa.String(length=64), nullable=True))
        batch.create_foreign_key('fk_medical_chronic_recognition_end_case_id_case_file',
                                 'case_file', ['end_case_id'], ['id'])


    with op.batch_alter_table('medical_manual_line') as batch:
        batch.add_column(sa.Column('code', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('quantity', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('flags', sa.Text(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('decision', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('cut_fen', sa.BigInteger(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('reason', sa.String(length=300), nullable=True))
    op.create_table(
        'medical_line_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('invoice_no', sa.String(length=40), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=8), nullable=False),
        sa.Column('cut_fen', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'],
                                name=op.f('fk_medical_line_decision_case_id_case_file')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_medical_line_decision')),
    )
    op.create_index('ix_medical_line_decision_case_id', 'medical_line_decision', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_medical_line_decision_case_id', table_name='medical_line_decision')
    op.drop_table('medical_line_decision')
    with op.batch_alter_table('medical_manual_line') as batch:
        for name in ('reason', 'cut_fen', 'decision', 'flags', 'quantity', 'code'):
            batch.drop_column(name)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint('fk_medical_chronic_recognition_end_case_id_case_file', type_='foreignkey')
        for name in ('ended_by', 'ended_on', 'end_case_id', 'end_reason', 'ended_from'):
            batch.drop_column(name)
