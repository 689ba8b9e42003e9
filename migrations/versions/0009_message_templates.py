"""messages keep the template they were rendered from and its values (a template gateway sends those); error
codes (messages, send attempts, delivery events) long enough for a gateway's (isv.BUSINESS_LIMIT_CONTROL)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


WIDENED = ('messages', 'send_attempts', 'delivery_events')


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('template_params', sa.Text(), nullable=True))
    for table in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'error_code', existing_type=sa.String(length=16), type_=sa.String(length=64), existing_nullable=True
            )


def downgrade() -> None:
    for table in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'error_code', existing_type=sa.String(length=64), type_=sa.String(length=16), existing_nullable=True
            )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('template_params')
        batch_op.drop_column('template')
