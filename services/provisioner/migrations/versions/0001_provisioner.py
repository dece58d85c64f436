"""The broker users the provisioner made, and the outbox.

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

SCHEMA = "provisioner"


def upgrade() -> None:
    create_messaging_tables(op, SCHEMA)
    op.create_table(
        "broker_accounts",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("broker_accounts", schema=SCHEMA)
    op.drop_table("processed_messages", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
