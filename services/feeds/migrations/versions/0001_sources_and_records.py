"""Sources, source records, linked children, and the outbox.

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

SCHEMA = "feeds"


def upgrade() -> None:
    create_messaging_tables(op, SCHEMA)
    op.create_table(
        "sources",
        sa.Column("source_id", sa.String(60), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("la_code", sa.String(20)),
        sa.Column("kinds", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "children",
        sa.Column("contactpoint_id", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "source_records",
        sa.Column("source_id", sa.String(60), sa.ForeignKey(f"{SCHEMA}.sources.source_id"), primary_key=True),
        sa.Column("source_record_id", sa.String(100), primary_key=True),
        sa.Column("contactpoint_id", sa.String(40), sa.ForeignKey(f"{SCHEMA}.children.contactpoint_id"), nullable=False, index=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("held", sa.Boolean, nullable=False),
        sa.Column("nhs_number", sa.String(10), index=True),
        sa.Column("family_key", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date, nullable=False),
        sa.Column("message", sa.JSON, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_source_records_family_key_dob", "source_records", ["family_key", "date_of_birth"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("source_records", "children", "sources", "processed_messages", "outbox"):
        op.drop_table(table, schema=SCHEMA)
