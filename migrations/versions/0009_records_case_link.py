"""records: case link on deemed years and reversals; no foreign keys on the bulk tables

contribution and account_entry lose their foreign keys (see the comment above
records.models.Contribution: the import's checks guarantee them, and PostgreSQL's row
triggers cost more than the rest of the import); account_entry.contribution_id and
contribution.employer_id lose their indexes (reads go through person_id instead). Reversal
rows and deemed years name the case that approved them (case_id).

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-24 10:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BULK_FKS = {
    'contribution': [('fk_contribution_batch_id_contribution_batch', 'contribution_batch',
                      'batch_id'),
                     ('fk_contribution_person_id_person', 'person', 'person_id'),
                     ('fk_contribution_employer_id_employer', 'employer', 'employer_id'),
                     ('fk_contribution_reverses_id_contribution', 'contribution', 'reverses_id')],
    'account_entry': [('fk_account_entry_person_id_person', 'person', 'person_id'),
                      ('fk_account_entry_contribution_id_contribution', 'contribution',
                       'contribution_id'),
                      ('fk_account_entry_reverses_id_account_entry', 'account_entry',
                       'reverses_id')],
}


def upgrade() -> None:
    for table, fks in BULK_FKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
            for name, _, _ in fks:
                batch_op.drop_constraint(name, type_='foreignkey')
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_account_entry_contribution_id')
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_index('ix_contribution_employer_id')
    with op.batch_alter_table('deemed_service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_deemed_service_case_id_case_file'), 'case_file',
                                    ['case_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('deemed_service', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deemed_service_case_id_case_file'),
                                 type_='foreignkey')
        batch_op.drop_column('case_id')
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.create_index('ix_contribution_employer_id', ['employer_id'], unique=False)
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.create_index('ix_account_entry_contribution_id', ['contribution_id'], unique=False)
    for table, fks in BULK_FKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, target, column in fks:
                batch_op.create_foreign_key(name, target, [column], ['id'])
            batch_op.drop_column('case_id')
