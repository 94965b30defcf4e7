"""benefit fixes: the payroll's account payouts are unique per person, scheme and month

The monthly payroll debits the account pension from the individual account (account_entry
kind 'payout', records.service.draw_down_for_run); this partial unique index makes a second
payout for the same month impossible, whatever reruns a crash causes.

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-24 11:50:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('uq_account_entry_payout', 'account_entry', ['person_id', 'scheme', 'period'],
                    unique=True, sqlite_where=sa.text("kind = 'payout'"),
                    postgresql_where=sa.text("kind = 'payout'"))


def downgrade() -> None:
    op.drop_index('uq_account_entry_payout', table_name='account_entry',
                  sqlite_where=sa.text("kind = 'payout'"),
                  postgresql_where=sa.text("kind = 'payout'"))
