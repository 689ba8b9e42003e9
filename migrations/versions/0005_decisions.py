"""the lender's decisions (and the latest on the application) and changed phone numbers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 18:33:49.469884
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.String(length=32), nullable=True))
    op.create_table('phone_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('old_phone', sa.String(length=20), nullable=False),
    sa.Column('new_phone', sa.String(length=20), nullable=False),
    sa.Column('verified_by', sa.Text(), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('notice_version', sa.Integer(), nullable=False),
    sa.Column('notice_suppressed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_phone_changes_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_changes'))
    )
    with op.batch_alter_table('phone_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_changes_application_id'), ['application_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_decisions_application_id_applications')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_decisions_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_decisions_decision_id'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_application_id'), ['application_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_application_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('phone_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_changes_application_id'))

    op.drop_table('phone_changes')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('decision')
