"""Card deliveries: each recipient's copy of an interactive card and its update handle.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_deliveries",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("card_id", sa.String(length=128), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("handle", sa.String(length=512), nullable=False),
        sa.Column("sent_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("channel", "card_id", "recipient",
                                name=op.f("pk_card_deliveries")),
    )
    with op.batch_alter_table("card_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_card_deliveries_card", ["card_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("card_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_card_deliveries_card")
    op.drop_table("card_deliveries")
