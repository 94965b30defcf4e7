"""medical: the end (撤销 or 终止) of a chronic and special outpatient recognition

Revision ID: 0054_med11
Revises: 0052
Create Date: 2026-12-07 20:45:00.000000+00:00

``medical_chronic_recognition`` gains the end of a recognition decided through the case
BEN-MEDICAL-CHRONIC-END: the first day it is no longer in force, the reason, the case, the date
and who decided. ``valid_to`` keeps the validity as granted.
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


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint('fk_medical_chronic_recognition_end_case_id_case_file', type_='foreignkey')
        for name in ('ended_by', 'ended_on', 'end_case_id', 'end_reason', 'ended_from'):
            batch.drop_column(name)
