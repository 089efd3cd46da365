"""pending numbered choices of channels without buttons

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 02:10:00

The Zalo channel kept the numbered choices it offered each chat in memory, so a restart made
"1" mean nothing; one row per (channel, chat) now holds the latest ones.
"""
import sqlalchemy as sa
from alembic import op

import storage.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_choices',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('offered_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'chat_id')
    )


def downgrade() -> None:
    op.drop_table('pending_choices')
