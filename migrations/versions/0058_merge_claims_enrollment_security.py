"""Merge the branches of 2026-12-07: medical review lines, supplementary settlement, the
sealed enrollment registry, and persons' public ids.

Revision ID: 0058
Revises: 0054_med11, 0055, 0056, 0057_sec15
"""

from collections.abc import Sequence

revision: str = '0058'
down_revision: tuple[str, ...] = ('0054_med11', '0055', '0056', '0057_sec15')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
