"""staff sessions end on logout and password change; login failures per address and account

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    op.create_table('login_throttle_accounts',
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_login_throttle_accounts_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('address', 'staff_id', name=op.f('pk_login_throttle_accounts'))
    )


def downgrade() -> None:
    op.drop_table('login_throttle_accounts')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
