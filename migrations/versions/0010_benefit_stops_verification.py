"""benefit stops, eligibility verification, shared facts, certifications; credit records

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-24 10:29:43.062845+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('benefit_shared_fact',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ssn', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('fact_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_shared_fact')),
    sa.UniqueConstraint('source', 'source_ref', name='uq_benefit_shared_fact_source')
    )
    with op.batch_alter_table('benefit_shared_fact', schema=None) as batch_op:
        batch_op.create_index('ix_benefit_shared_fact_ssn_kind', ['ssn', 'kind'], unique=False)

    op.create_table('credit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=40), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('act', sa.String(length=40), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('basis', sa.String(length=300), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_record')),
    sa.UniqueConstraint('act', 'source_ref', name='uq_credit_record_source')
    )
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.create_index('ix_credit_record_subject', ['subject_kind', 'subject_key'], unique=False)

    op.create_table('verification_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_on', sa.Date(), nullable=False),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('unconfirmed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_run')),
    sa.UniqueConstraint('run_on', name=op.f('uq_verification_run_run_on'))
    )
    op.create_table('benefit_certification',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_certification_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_certification'))
    )
    with op.batch_alter_table('benefit_certification', schema=None) as batch_op:
        batch_op.create_index('ix_benefit_certification_person', ['person_id', 'confirmed_on'], unique=False)

    op.create_table('benefit_stop_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('report_due_on', sa.Date(), nullable=False),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reporter_name', sa.String(length=64), nullable=False),
    sa.Column('reporter_phone', sa.String(length=32), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('awards', sa.Integer(), nullable=False),
    sa.Column('overpaid', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_stop_report_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_stop_report'))
    )
    with op.batch_alter_table('benefit_stop_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_stop_report_person_id'), ['person_id'], unique=False)

    op.create_table('verification_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('agent_kind', sa.String(length=16), nullable=False),
    sa.Column('agent_key', sa.String(length=40), nullable=False),
    sa.Column('agent_name', sa.String(length=200), nullable=False),
    sa.Column('entrusted_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('entrusted_by', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('result_on', sa.Date(), nullable=True),
    sa.Column('result_note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['benefit_award.id'], name=op.f('fk_verification_task_award_id_benefit_award')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_verification_task_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_task'))
    )
    with op.batch_alter_table('verification_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_task_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_verification_task_open', ['award_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('verification_hit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('fact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('fact_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['benefit_award.id'], name=op.f('fk_verification_hit_award_id_benefit_award')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_verification_hit_case_id_case_file')),
    sa.ForeignKeyConstraint(['fact_id'], ['benefit_shared_fact.id'], name=op.f('fk_verification_hit_fact_id_benefit_shared_fact')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_verification_hit_person_id_person')),
    sa.ForeignKeyConstraint(['run_id'], ['verification_run.id'], name=op.f('fk_verification_hit_run_id_verification_run')),
    sa.ForeignKeyConstraint(['task_id'], ['verification_task.id'], name=op.f('fk_verification_hit_task_id_verification_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_hit')),
    sa.UniqueConstraint('award_id', 'kind', 'fact_id', name='uq_verification_hit_fact'),
    sa.UniqueConstraint('task_id', name=op.f('uq_verification_hit_task_id'))
    )
    with op.batch_alter_table('verification_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_hit_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_hit_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_hit_run_id'), ['run_id'], unique=False)
        batch_op.create_index('uq_verification_hit_open', ['award_id', 'kind'], unique=True, sqlite_where=sa.text("status IN ('open', 'investigating')"), postgresql_where=sa.text("status IN ('open', 'investigating')"))
    op.create_table('benefit_debt_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_id', sa.Integer(), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('instalments', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['debt_id'], ['benefit_debt.id'], name=op.f('fk_benefit_debt_agreement_debt_id_benefit_debt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_debt_agreement')),
    sa.UniqueConstraint('debt_id', name=op.f('uq_benefit_debt_agreement_debt_id'))
    )


def downgrade() -> None:
    op.drop_table('benefit_debt_agreement')
    with op.batch_alter_table('verification_hit', schema=None) as batch_op:
        batch_op.drop_index('uq_verification_hit_open', sqlite_where=sa.text("status IN ('open', 'investigating')"), postgresql_where=sa.text("status IN ('open', 'investigating')"))
        batch_op.drop_index(batch_op.f('ix_verification_hit_run_id'))
        batch_op.drop_index(batch_op.f('ix_verification_hit_person_id'))
        batch_op.drop_index(batch_op.f('ix_verification_hit_award_id'))

    op.drop_table('verification_hit')
    with op.batch_alter_table('verification_task', schema=None) as batch_op:
        batch_op.drop_index('uq_verification_task_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_verification_task_person_id'))

    op.drop_table('verification_task')
    with op.batch_alter_table('benefit_stop_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_stop_report_person_id'))

    op.drop_table('benefit_stop_report')
    with op.batch_alter_table('benefit_certification', schema=None) as batch_op:
        batch_op.drop_index('ix_benefit_certification_person')

    op.drop_table('benefit_certification')
    op.drop_table('verification_run')
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_record_subject')

    op.drop_table('credit_record')
    with op.batch_alter_table('benefit_shared_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_benefit_shared_fact_ssn_kind')

    op.drop_table('benefit_shared_fact')
