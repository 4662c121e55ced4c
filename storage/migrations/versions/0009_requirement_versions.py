"""Technical confirmation: requirement versions per order; order requests keep their
unmatched requirements and the customer contact who asked.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_requests") as batch:
        batch.add_column(sa.Column("requirements", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("asked_by", sa.String(length=64), nullable=True))
    op.create_table(
        "requirement_versions",
        sa.Column("order_ref", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("written_by", sa.String(length=64), nullable=False),
        sa.Column("written_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("request_ref", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_ref", "version", name=op.f("pk_requirement_versions")),
    )


def downgrade() -> None:
    op.drop_table("requirement_versions")
    with op.batch_alter_table("order_requests") as batch:
        batch.drop_column("asked_by")
        batch.drop_column("requirements")
