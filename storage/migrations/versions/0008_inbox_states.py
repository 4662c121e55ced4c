"""Exactly-once handling: inbox states (received -> handled) and the effects of each message.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=False,
                                   server_default="handled"))
        batch.add_column(sa.Column("claimed_until", storage.types.UtcDateTime(timezone=True)))
        batch.add_column(sa.Column("message", sa.JSON()))
        batch.add_column(sa.Column("replies", sa.JSON()))
        batch.add_column(sa.Column("handled_at", storage.types.UtcDateTime(timezone=True)))
    op.create_index("ix_inbox_unhandled", "inbox", ["state", "claimed_until"])
    op.create_table(
        "message_effects",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "key", "kind", name=op.f("pk_message_effects")),
    )


def downgrade() -> None:
    op.drop_table("message_effects")
    op.drop_index("ix_inbox_unhandled", table_name="inbox")
    with op.batch_alter_table("inbox") as batch:
        for column in ("handled_at", "replies", "message", "claimed_until", "state"):
            batch.drop_column(column)
