"""Merge the session's branches: oversight finish, personal data, login, agreements and claims,
unemployment, the enrollment registry.

Revision ID: 0042
Revises: 0035, 0036, 0037, 0040, 0041, 0044
"""

from collections.abc import Sequence

revision: str = '0042'
down_revision: tuple[str, ...] = ('0035', '0036', '0037', '0040', '0041', '0044')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
