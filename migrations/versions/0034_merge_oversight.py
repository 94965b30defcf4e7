"""merge the oversight branches: inspections and penalties (0030), monitors (0031), complaints and challenges
(0032), the serious-dishonesty list (0033)

Revision ID: 0034
Revises: 0030, 0031, 0032, 0033
Create Date: 2026-12-07 11:00:00.000000+00:00

A merge point only: the branches touch different tables, so nothing changes here.
"""

from collections.abc import Sequence

revision: str = '0034'
down_revision: tuple[str, ...] = ('0030', '0031', '0032', '0033')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
