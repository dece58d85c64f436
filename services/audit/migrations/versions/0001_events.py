"""The chained event store, and the outbox.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from shared.messaging.outbox import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "audit"


def upgrade() -> None:
    create_messaging_tables(op, SCHEMA)
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("service", sa.String(30), nullable=False),
        sa.Column("action", sa.String(60), nullable=False, index=True),
        sa.Column("la_code", sa.String(20), nullable=False, index=True),
        sa.Column("actor_username", sa.String(100), index=True),
        sa.Column("event", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "event_subjects",
        sa.Column("contactpoint_id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.events.seq"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("event_subjects", "events", "chain_head", "processed_messages", "outbox"):
        op.drop_table(table, schema=SCHEMA)
