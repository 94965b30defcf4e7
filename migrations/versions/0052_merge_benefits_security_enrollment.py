"""Merge the session's branches: work injury, medical and maternity, the agreements' finish,
the security review (and the enrollment branches when they add tables).

Revision ID: 0052
Revises: 0046, 0047, 0048, 0051
"""

from collections.abc import Sequence

revision: str = '0052'
down_revision: tuple[str, ...] = ('0046', '0047', '0048', '0051')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
