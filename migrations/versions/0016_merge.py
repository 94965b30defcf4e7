"""merge the branches of session 2: transfers, benefit fixes, transfer fixes

Revision ID: 0016
Revises: 0008, 0013, 0015
Create Date: 2026-11-24 12:05:00.000000+00:00
"""

from collections.abc import Sequence

revision: str = '0016'
down_revision: str | Sequence[str] | None = ('0008', '0013', '0015')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the three branches."""


def downgrade() -> None:
    """Nothing to change: downgrading splits the branches again."""
