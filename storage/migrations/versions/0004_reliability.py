"""reliability: failed handlings of an inbox row, a lifetime for outbox rows

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 02:20:00

`inbox.attempts` counts failed handlings, so a row that keeps failing is set aside (and the
Office told) instead of retried for ever; `outbox.expires_at` is how long a transient failure
is retried (a reminder: until its deadline day is over).
"""
import sqlalchemy as sa
from alembic import op

import storage.db

revision = '0004'
down_revision = '0003'  # after 0003_pending_choices
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', storage.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_column('attempts')
