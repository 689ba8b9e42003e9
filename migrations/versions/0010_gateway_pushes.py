"""gateway pushes: every element a mainland gateway pushed (replies, delivery reports), once per element

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('gateway_pushes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('push_key', sa.String(length=96), nullable=True),
    sa.Column('problem', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gateway_pushes')),
    sa.UniqueConstraint('push_key', name=op.f('uq_gateway_pushes_push_key'))
    )


def downgrade() -> None:
    op.drop_table('gateway_pushes')
