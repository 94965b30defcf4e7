"""oversight: complaints and reports (举报投诉, R§51) with their timeline; reconsideration and
litigation against a case (行政复议、行政诉讼, R§52)

Revision ID: 0032
Revises: 0028
Create Date: 2026-12-07 09:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0032'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'oversight_complaint',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('number', sa.String(24), unique=True),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('channel', sa.String(16), nullable=False),
        sa.Column('request_id', sa.String(64), unique=True),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('wants_notice', sa.Boolean(), nullable=False),
        sa.Column('reporter_name', sa.String(64), nullable=False),
        sa.Column('reporter_id_number', sa.String(40), nullable=False),
        sa.Column('reporter_phone', sa.String(32), nullable=False),
        sa.Column('reporter_email', sa.String(120), nullable=False),
        sa.Column('reporter_subject', sa.String(80)),
        sa.Column('accused_kind', sa.String(16), nullable=False),
        sa.Column('accused_ref', sa.String(40), nullable=False),
        sa.Column('accused_name', sa.String(200), nullable=False),
        sa.Column('accused_subject', sa.String(80)),
        sa.Column('facts', sa.Text(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('received_by', sa.String(64), nullable=False),
        sa.Column('screening_due', sa.Date(), nullable=False),
        sa.Column('notice_due', sa.Date()),
        sa.Column('due_provisional', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('screening', sa.String(16)),
        sa.Column('screening_reason', sa.Text(), nullable=False),
        sa.Column('transferred_to', sa.String(200), nullable=False),
        sa.Column('screened_on', sa.Date()),
        sa.Column('screening_late_reason', sa.Text(), nullable=False),
        sa.Column('noticed_on', sa.Date()),
        sa.Column('notice_channel', sa.String(16)),
        sa.Column('notice_late_reason', sa.Text(), nullable=False),
        sa.Column('inspection_case_id', sa.Integer(), sa.ForeignKey('case_file.id')),
        sa.Column('investigation_note', sa.Text(), nullable=False),
        sa.Column('outcome', sa.String(24)),
        sa.Column('outcome_note', sa.Text(), nullable=False),
        sa.Column('confirmed_fen', sa.BigInteger(), nullable=False),
        sa.Column('concluded_on', sa.Date()),
        sa.Column('reward_fen', sa.BigInteger()),
        sa.Column('reward_paid_on', sa.Date()),
        sa.Column('reward_reference', sa.String(64), unique=True),
    )
    for column in ('accused_subject', 'screening_due', 'notice_due', 'status'):
        op.create_index(f'ix_oversight_complaint_{column}', 'oversight_complaint', [column])
    op.create_table(
        'oversight_complaint_step',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('complaint_id', sa.Integer(), sa.ForeignKey('oversight_complaint.id'),
                  nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(64), nullable=False),
        sa.Column('action', sa.String(16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('on_time', sa.Boolean()),
    )
    op.create_index('ix_oversight_complaint_step_complaint_id', 'oversight_complaint_step',
                    ['complaint_id'])
    op.create_table(
        'oversight_challenge',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('case_file.id'), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('body', sa.String(200), nullable=False),
        sa.Column('reference', sa.String(64), nullable=False),
        sa.Column('claimant', sa.String(200), nullable=False),
        sa.Column('claims', sa.Text(), nullable=False),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('outcome', sa.String(16)),
        sa.Column('decided_on', sa.Date()),
        sa.Column('decision_reference', sa.String(64), nullable=False),
        sa.Column('outcome_note', sa.Text(), nullable=False),
        sa.Column('reopened_round', sa.Integer()),
        sa.Column('recorded_by', sa.String(64), nullable=False),
        sa.Column('decided_by', sa.String(64)),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_oversight_challenge_case_id', 'oversight_challenge', ['case_id'])
    op.create_index('ix_oversight_challenge_status', 'oversight_challenge', ['status'])


def downgrade() -> None:
    op.drop_table('oversight_challenge')
    op.drop_table('oversight_complaint_step')
    op.drop_table('oversight_complaint')
