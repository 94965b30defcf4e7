"""oversight dishonesty list

Revision ID: 0033
Revises: 0028
Create Date: 2026-12-07 09:27:32.508867+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0033'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('credit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=40), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_event'))
    )
    with op.batch_alter_table('credit_event', schema=None) as batch_op:
        batch_op.create_index('ix_credit_event_subject', ['subject_kind', 'subject_key'], unique=False)

    op.create_table('dishonesty_listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=40), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('party_subject', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('criterion', sa.String(length=16), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('basis', sa.String(length=300), nullable=False),
    sa.Column('credit_ids', sa.String(length=400), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('inspection_case_id', sa.Integer(), nullable=True),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('proposed_by', sa.String(length=64), nullable=False),
    sa.Column('noticed_on', sa.Date(), nullable=True),
    sa.Column('statement_due', sa.Date(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('decision_case_id', sa.Integer(), nullable=True),
    sa.Column('listed_on', sa.Date(), nullable=True),
    sa.Column('listed_until', sa.Date(), nullable=True),
    sa.Column('repair_from', sa.Date(), nullable=True),
    sa.Column('objection_case_id', sa.Integer(), nullable=True),
    sa.Column('repair_case_id', sa.Integer(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dishonesty_listing'))
    )
    with op.batch_alter_table('dishonesty_listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dishonesty_listing_status'), ['status'], unique=False)
        batch_op.create_index('ix_dishonesty_listing_subject', ['subject_kind', 'subject_key'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('dishonesty_listing', schema=None) as batch_op:
        batch_op.drop_index('ix_dishonesty_listing_subject')
        batch_op.drop_index(batch_op.f('ix_dishonesty_listing_status'))

    op.drop_table('dishonesty_listing')
    with op.batch_alter_table('credit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_event_subject')

    op.drop_table('credit_event')

