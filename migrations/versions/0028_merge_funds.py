"""merge the funds branches: budget (0023), reports (0024), payment returns (0025)

Revision ID: 0028
Revises: 0023, 0024, 0025
Create Date: 2026-12-07 08:20:00.000000+00:00

A merge point only: the three branches touch different tables, so nothing changes here.
"""

from collections.abc import Sequence

revision: str = '0028'
down_revision: tuple[str, ...] = ('0023', '0024', '0025')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
