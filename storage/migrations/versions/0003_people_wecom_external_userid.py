"""people.wecom_external_userid: customer contacts on WeCom Customer Service (微信客服).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a UNIQUE constraint to an existing table in place
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wecom_external_userid", sa.String(length=64),
                                      nullable=True))
        batch_op.create_unique_constraint(op.f("uq_people_wecom_external_userid"),
                                          ["wecom_external_userid"])


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_people_wecom_external_userid"), type_="unique")
        batch_op.drop_column("wecom_external_userid")
