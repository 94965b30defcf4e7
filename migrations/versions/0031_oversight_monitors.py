"""oversight: anomaly monitors — runs per monitor and day, and their hits (issue 12 item 3)

Revision ID: 0031
Revises: 0028
Create Date: 2026-12-07 09:50:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0031'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'monitor_run',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('monitor', sa.String(32), nullable=False),
        sa.Column('run_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('cursor', sa.BigInteger(), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('started_by', sa.String(64), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True)),
        sa.UniqueConstraint('monitor', 'run_on', name='uq_monitor_run_day'),
    )
    op.create_table(
        'monitor_hit',
        sa.Column('id', BIG_ID, primary_key=True),
        sa.Column('monitor', sa.String(32), nullable=False),
        sa.Column('fact_key', sa.String(120), nullable=False),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('monitor_run.id')),
        sa.Column('raised_on', sa.Date(), nullable=False),
        sa.Column('subject_kind', sa.String(16), nullable=False),
        sa.Column('subject_ref', sa.String(40), nullable=False),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('person.id')),
        sa.Column('employer_id', sa.Integer(), sa.ForeignKey('employer.id')),
        sa.Column('fact_date', sa.Date()),
        sa.Column('period', sa.Integer()),
        sa.Column('value_before', sa.BigInteger()),
        sa.Column('value_after', sa.BigInteger()),
        sa.Column('amount', sa.BigInteger()),
        sa.Column('months', sa.Integer()),
        sa.Column('ref', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('closed_reason', sa.String(500), nullable=False),
        sa.Column('closed_by', sa.String(64), nullable=False),
        sa.Column('closed_on', sa.Date()),
        sa.Column('inspection_case_id', sa.Integer(), sa.ForeignKey('case_file.id')),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('monitor', 'fact_key', name='uq_monitor_hit_fact'),
    )
    op.create_index('ix_monitor_hit_run_id', 'monitor_hit', ['run_id'])
    op.create_index('ix_monitor_hit_person_id', 'monitor_hit', ['person_id'])
    op.create_index('ix_monitor_hit_employer_id', 'monitor_hit', ['employer_id'])
    op.create_index('ix_monitor_hit_status', 'monitor_hit', ['status', 'monitor'])


def downgrade() -> None:
    op.drop_table('monitor_hit')
    op.drop_table('monitor_run')
