"""event outbox: events for the lender's system and their deliveries

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 18:35:24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.String(length=40), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_event_outbox_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_outbox')),
    sa.UniqueConstraint('webhook_id', name=op.f('uq_event_outbox_webhook_id'))
    )
    with op.batch_alter_table('event_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_event_outbox_application_id_id', ['application_id', 'id'], unique=False)
        batch_op.create_index('ix_event_outbox_created_at', ['created_at'], unique=False)
        batch_op.create_index(
            'ix_event_outbox_pending', ['id'], unique=False,
            postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"),
        )



def downgrade() -> None:
    with op.batch_alter_table('event_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_event_outbox_pending')
        batch_op.drop_index('ix_event_outbox_created_at')
        batch_op.drop_index('ix_event_outbox_application_id_id')

    op.drop_table('event_outbox')
