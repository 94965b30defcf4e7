"""work-injury benefits: the recognition decisions (工伤认定) and what followed them

Revision ID: 0046
Revises: 0042
Create Date: 2026-12-07 16:20:00.000000+00:00

``injury_recognition`` holds the administrative department's recognition of each injury with
the person's own wage (本人工资, 第六十四条) and the latest appraisal's grade; ``injury_event``
the appraisals, leave extensions, recurrences, devices and endings of employment. The benefits
use the existing award and payment tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0046'
down_revision: str | Sequence[str] | None = '0042'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'injury_recognition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('employer_id', sa.Integer(), nullable=True),
        sa.Column('decision_number', sa.String(length=64), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('injury_date', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('description', sa.String(length=300), nullable=False),
        sa.Column('own_wage', sa.BigInteger(), nullable=False),
        sa.Column('plain_wage', sa.BigInteger(), nullable=False),
        sa.Column('leave_until', sa.Date(), nullable=True),
        sa.Column('grade', sa.Integer(), nullable=True),
        sa.Column('nursing_level', sa.Integer(), nullable=True),
        sa.Column('died_on', sa.Date(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['employer_id'], ['employer.id']),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('decision_number'),
    )
    op.create_index('ix_injury_recognition_person_id', 'injury_recognition', ['person_id'])
    op.create_table(
        'injury_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recognition_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('event_date', sa.Date(), nullable=False),
        sa.Column('document_number', sa.String(length=64), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=True),
        sa.Column('nursing_level', sa.Integer(), nullable=True),
        sa.Column('leave_until', sa.Date(), nullable=True),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recognition_id'], ['injury_recognition.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_injury_event_recognition_id', 'injury_event', ['recognition_id'])


def downgrade() -> None:
    op.drop_index('ix_injury_event_recognition_id', table_name='injury_event')
    op.drop_table('injury_event')
    op.drop_index('ix_injury_recognition_person_id', table_name='injury_recognition')
    op.drop_table('injury_recognition')
