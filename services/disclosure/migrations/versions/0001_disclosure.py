"""De-identified children, single-record disclosure requests, and the outbox.

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

SCHEMA = "disclosure"


def upgrade() -> None:
    create_messaging_tables(op, SCHEMA)
    op.create_table(
        "de_identified_children",
        sa.Column("pseudonym_base", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("la_code", sa.String(20), nullable=False),
        sa.Column("birth_year", sa.SmallInteger, nullable=False),
        sa.Column("birth_month", sa.SmallInteger, nullable=False),
        sa.Column("gender", sa.String(20), nullable=False),
        sa.Column("postcode_district", sa.String(4)),
        sa.Column("service_kinds", sa.JSON, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "requests",
        sa.Column("request_id", sa.String(32), primary_key=True),
        sa.Column("contactpoint_id", sa.String(40), nullable=False),
        sa.Column("ground", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False, index=True),
        sa.Column("requester_la_code", sa.String(20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_reason", sa.Text),
        sa.Column("readable_until", sa.DateTime(timezone=True)),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index("ix_requests_la_status", "requests", ["requester_la_code", "status"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("requests", schema=SCHEMA)
    op.drop_table("de_identified_children", schema=SCHEMA)
    op.drop_table("processed_messages", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
