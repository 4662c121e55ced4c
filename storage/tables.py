"""The schema as SQLAlchemy Core tables; Alembic migrations are generated from it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)

from storage.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

customers = Table(
    "customers", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("tier", String(1), nullable=False),
    Column("policy", JSON, nullable=False),
    Column("weekly_summary", Boolean, nullable=False, default=False),
)

people = Table(
    "people", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("wecom_userid", String(64), unique=True),
    Column("dingtalk_staff_id", String(64), unique=True),
    Column("customers", JSON, nullable=False),
    Column("work_center", String(32)),
    Column("lang", String(5), nullable=False, default="zh"),
    Column("active", Boolean, nullable=False, default=True),
    Column("wecom_external_userid", String(64), unique=True),
)

items = Table(
    "items", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("on_hand", Float, nullable=False, default=0.0),
    Column("unit_cost", Float, nullable=False, default=0.0),
    Column("lead_days", Integer, nullable=False, default=7),
    Column("attributes", JSON),
)

purchase_orders = Table(
    "purchase_orders", metadata,
    Column("ref", String(64), primary_key=True),
    Column("item_code", String(64), ForeignKey("items.code"), nullable=False),
    Column("quantity", Float, nullable=False),
    Column("supplier", String(200), nullable=False),
    Column("expected", Date, nullable=False),
    Column("received", Boolean, nullable=False, default=False),
)

work_centers = Table(
    "work_centers", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("machines", JSON, nullable=False),
    Column("calendar", JSON, nullable=False),
    Column("can_pause", Boolean, nullable=False),
    Column("alternatives", JSON, nullable=False),
    Column("lead_person", String(64)),
    Column("hourly_cost", Float, nullable=False, default=60.0),
)

products = Table(
    "products", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("family", String(32), nullable=False, default=""),
    Column("unit_price", Float, nullable=False, default=0.0),
    Column("current_bom", Integer, nullable=False, default=1),
    Column("current_routing", Integer, nullable=False, default=1),
    Column("spec_options", JSON, nullable=False),
)

boms = Table(
    "boms", metadata,
    Column("product_code", String(64), ForeignKey("products.code"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("locked", Boolean, nullable=False, default=False),
)

bom_lines = Table(
    "bom_lines", metadata,
    Column("product_code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("item_code", String(64), ForeignKey("items.code"), nullable=False),
    Column("qty_per", Float, nullable=False),
    Column("scrap_rate", Float, nullable=False, default=0.0),
    Column("spec_key", String(16)),
    ForeignKeyConstraint(["product_code", "version"], ["boms.product_code", "boms.version"]),
)

routings = Table(
    "routings", metadata,
    Column("product_code", String(64), ForeignKey("products.code"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("locked", Boolean, nullable=False, default=False),
)

routing_steps = Table(
    "routing_steps", metadata,
    Column("product_code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("work_center", String(32), ForeignKey("work_centers.code"), nullable=False),
    Column("setup_minutes", Integer, nullable=False, default=0),
    Column("minutes_per_unit", Float, nullable=False, default=0.0),
    Column("outsourced", Boolean, nullable=False, default=False),
    Column("lead_days", Integer, nullable=False, default=0),
    ForeignKeyConstraint(
        ["product_code", "version"], ["routings.product_code", "routings.version"]
    ),
)

work_orders = Table(
    "work_orders", metadata,
    Column("ref", String(64), primary_key=True),
    Column("customer_code", String(32), ForeignKey("customers.code"), nullable=False),
    Column("product_code", String(64), ForeignKey("products.code"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("priority", String(10), nullable=False),
    Column("specs", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("bom_version", Integer, nullable=False),
    Column("routing_version", Integer, nullable=False),
    Column("change_count", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime),
    Index("ix_work_orders_status", "status"),
    Index("ix_work_orders_customer", "customer_code"),
)

order_operations = Table(
    "order_operations", metadata,
    Column("order_ref", String(64), ForeignKey("work_orders.ref", ondelete="CASCADE"),
           primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("work_center", String(32), nullable=False),
    Column("qty_done", Integer, nullable=False, default=0),
    Column("qty_scrap", Integer, nullable=False, default=0),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("machine", String(64)),
)

change_requests = Table(
    "change_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), unique=True),
    Column("order_ref", String(64), ForeignKey("work_orders.ref"), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("raw_text", Text, nullable=False),
    Column("command", JSON, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("order_version", Integer, nullable=False),
    Column("impact", JSON, nullable=False),
    Column("risk", String(16), nullable=False),
    Column("expires_at", UtcDateTime),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime),
    Column("plan_version", Integer),
    Index("ix_change_requests_order", "order_ref"),
    Index("ix_change_requests_status", "status"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("change_request", String(32)),
    Column("order_ref", String(64)),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_cr", "change_request"),
)

plans = Table(
    "plans", metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("epoch", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("method", String(64), nullable=False),
    Column("objective", Integer, nullable=False),
    Column("lower_bound", Integer, nullable=False),
    Column("kpis", JSON, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("diff", JSON, nullable=False),
)

plan_operations = Table(
    "plan_operations", metadata,
    Column("plan_number", Integer, ForeignKey("plans.number", ondelete="CASCADE"),
           primary_key=True),
    Column("order_ref", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("work_center", String(32), nullable=False),
    Column("machine", String(64), nullable=False),
    Column("start", UtcDateTime, nullable=False),
    Column("end", UtcDateTime, nullable=False),
)

plan_etas = Table(
    "plan_etas", metadata,
    Column("plan_number", Integer, ForeignKey("plans.number", ondelete="CASCADE"),
           primary_key=True),
    Column("order_ref", String(64), primary_key=True),
    Column("eta", UtcDateTime, nullable=False),
    Column("due", UtcDateTime, nullable=False),
    Column("lateness_minutes", Integer, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("address", String(128), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("dedupe_key", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime),
    Column("locked_until", UtcDateTime),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("reply_hint", Text),
    Column("meta", JSON, nullable=False),
    UniqueConstraint("dedupe_key"),
    Index("ix_outbox_due", "status", "next_attempt_at"),
)

# One row per inbound message: `received` (claimed by a handler until `claimed_until`,
# with the message itself, so a recovery sweep can handle it if the handler dies), then
# `handled` with the outbox dedupe keys of its replies. Keys only dedupe: "handled".
inbox = Table(
    "inbox", metadata,
    Column("channel", String(16), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("seen_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False, server_default="handled"),
    Column("claimed_until", UtcDateTime),
    Column("message", JSON),
    Column("replies", JSON),
    Column("handled_at", UtcDateTime),
    Index("ix_inbox_unhandled", "state", "claimed_until"),
)

# What a message committed (a change request opened, a decision, a progress report),
# written in the transaction of the effect itself, so handling the message again
# answers from it instead of acting twice (core/idempotency.py).
message_effects = Table(
    "message_effects", metadata,
    Column("channel", String(16), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

kv_state = Table(
    "kv_state", metadata,
    Column("key", String(200), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# What each conversation is waiting for: the question the bot asked, or the list it
# showed (so "2" is the second item of what this person last saw), from any process.
# One row per (channel, user); answering takes the row (DELETE ... RETURNING).
conversation_state = Table(
    "conversation_state", metadata,
    Column("channel", String(16), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("saved_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_conversation_state_expires_at", "expires_at"),
)

# APScheduler's job store (bot/jobs/proactive.py JOB_TABLE), with the columns APScheduler
# defines itself. Alembic creates it like every other table (migration 0004), so taking
# over the scheduled jobs runs no DDL.
apscheduler_jobs = Table(
    "apscheduler_jobs", metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

card_deliveries = Table(
    "card_deliveries", metadata,
    Column("channel", String(16), primary_key=True),
    Column("card_id", String(128), primary_key=True),
    Column("recipient", String(64), primary_key=True),
    Column("handle", String(512), nullable=False),  # WeCom response_code / DingTalk cardBizId
    Column("sent_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    Column("settled_by", String(100), nullable=False, default=""),
    Index("ix_card_deliveries_card", "card_id"),
)

# ordering's tables live in their own module, on this metadata
import storage.ordering_tables  # noqa: E402,F401
