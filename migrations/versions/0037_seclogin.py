"""seclogin: login attempts, account locks, server-side sessions (issue 15 item 2)

Revision ID: 0037
Revises: 0034
Create Date: 2026-12-07 13:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0037'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('address', sa.String(64), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('outcome', sa.String(32), nullable=False),
    )
    op.create_index('ix_login_attempt_user_at', 'login_attempt', ['username', 'at'])
    op.create_index('ix_login_attempt_address_at', 'login_attempt', ['address', 'at'])
    op.create_table(
        'account_lock',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user_account.id'), nullable=False),
        sa.Column('locked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True)),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('unlocked_at', sa.DateTime(timezone=True)),
        sa.Column('unlocked_by', sa.String(64)),
    )
    op.create_index('ix_account_lock_user_id', 'account_lock', ['user_id'])
    op.create_table(
        'login_session',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('sid', sa.String(64), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user_account.id'), nullable=False),
        sa.Column('channel', sa.String(16), nullable=False),
        sa.Column('address', sa.String(64), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True)),
        sa.Column('end_reason', sa.String(16)),
        sa.UniqueConstraint('sid', name='uq_login_session_sid'),
    )
    op.create_index('ix_login_session_user_id', 'login_session', ['user_id'])


def downgrade() -> None:
    op.drop_table('login_session')
    op.drop_table('account_lock')
    op.drop_table('login_attempt')
