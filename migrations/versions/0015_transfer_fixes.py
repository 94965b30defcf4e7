"""records: contributions and deemed months marked as transferred out or in

A relationship transfer marks the rows it carried away at the old place
(``transfer_out_ref``: they no longer count there and cannot move a second time) and the rows
it merged at the new place (``transfer_in_ref``). Rows merged before this revision carry the
reference in their record id (``TRF<ref>-<n>``) and are backfilled from it.

Revision ID: 0015
Revises: 0009
Create Date: 2026-11-24 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns without a default: an instant catalogue change on PostgreSQL.
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_out_ref', sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column('transfer_in_ref', sa.String(length=48), nullable=True))
    with op.batch_alter_table('deemed_service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_out_ref', sa.String(length=48), nullable=True))
    bind = op.get_bind()
    merged = bind.execute(sa.text("SELECT id, record_id FROM contribution "
                                  "WHERE record_id LIKE 'TRF%'")).all()
    if merged:
        bind.execute(sa.text("UPDATE contribution SET transfer_in_ref = :ref WHERE id = :id"),
                     [{"id": pk, "ref": record_id[3:].rsplit("-", 1)[0]}
                      for pk, record_id in merged])


def downgrade() -> None:
    with op.batch_alter_table('deemed_service', schema=None) as batch_op:
        batch_op.drop_column('transfer_out_ref')
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_column('transfer_in_ref')
        batch_op.drop_column('transfer_out_ref')
