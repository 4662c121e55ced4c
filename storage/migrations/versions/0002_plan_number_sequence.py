"""Plan numbers from a database sequence, so concurrent planners never share one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite: an INTEGER PRIMARY KEY is already the rowid, numbered max+1 on insert.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE IF NOT EXISTS plans_number_seq OWNED BY plans.number")
    op.execute(
        "SELECT setval('plans_number_seq', "
        "COALESCE((SELECT MAX(number) FROM plans), 0) + 1, false)"
    )
    op.execute("ALTER TABLE plans ALTER COLUMN number SET DEFAULT nextval('plans_number_seq')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE plans ALTER COLUMN number DROP DEFAULT")
    op.execute("DROP SEQUENCE IF EXISTS plans_number_seq")
