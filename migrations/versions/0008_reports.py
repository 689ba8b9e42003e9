"""reports: the rollup's watermarks, per-application outcomes and daily aggregates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_watermarks',
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('last_id', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_report_watermarks'))
    )
    op.create_table('report_outcomes',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('variant', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('notice_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered', sa.Boolean(), nullable=False),
    sa.Column('failure_codes', sa.String(length=200), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('corrected', sa.Boolean(), nullable=False),
    sa.Column('handoff_reason', sa.String(length=32), nullable=True),
    sa.Column('handed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('first_action_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_action_by', sa.Integer(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settled_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_report_outcomes_application_id_applications')),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_report_outcomes'))
    )
    with op.batch_alter_table('report_outcomes', schema=None) as batch_op:
        batch_op.create_index('ix_report_outcomes_day_application_id', ['day', 'application_id'], unique=False)

    op.create_table('report_daily',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('variant', sa.String(length=32), nullable=False),
    sa.Column('measure', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'locale', 'variant', 'measure', 'label', name=op.f('pk_report_daily'))
    )


def downgrade() -> None:
    op.drop_table('report_daily')
    with op.batch_alter_table('report_outcomes', schema=None) as batch_op:
        batch_op.drop_index('ix_report_outcomes_day_application_id')

    op.drop_table('report_outcomes')
    op.drop_table('report_watermarks')
