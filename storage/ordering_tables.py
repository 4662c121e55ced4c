"""Tables of ordering: the promise ledger, logged quotes, new-order requests, and the
versions of orders' requirement specifications."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Index, Integer, String, Table, Text

from storage.tables import metadata
from storage.types import UtcDateTime

promises = Table(
    "promises", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_ref", String(64), nullable=False),
    Column("promised_date", Date, nullable=False),
    Column("source", String(16), nullable=False),
    Column("by", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("cr_ref", String(32)),
    Index("ix_promises_order", "order_ref"),
)

quotes = Table(
    "quotes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_by", String(64), nullable=False),
    Column("customer_code", String(32)),
    Column("product_code", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("specs", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("earliest", Date),
    Column("rush_date", Date),
    Column("outcome", String(32), nullable=False),
    Column("raw_text", Text, nullable=False),
)

order_requests = Table(
    "order_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), unique=True),
    Column("requested_by", String(64), nullable=False),
    Column("customer_code", String(32), nullable=False),
    Column("product_code", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("specs", JSON, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("earliest", Date, nullable=False),
    Column("risk", String(16), nullable=False),
    Column("impact", JSON, nullable=False),
    Column("raw_text", Text, nullable=False),
    Column("order_ref", String(64)),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime),
    Column("plan_version", Integer),
    Column("requirements", JSON),
    Column("asked_by", String(64)),
    Index("ix_order_requests_by", "requested_by", "status"),
)

requirement_versions = Table(
    "requirement_versions", metadata,
    Column("order_ref", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("items", JSON, nullable=False),
    Column("written_by", String(64), nullable=False),
    Column("written_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("request_ref", String(32)),
    Column("text", Text, nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime),
)
