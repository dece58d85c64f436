"""Misuse rules' hours and thresholds per LA and category, as data; repeats of an alert counted on it.

An emergency duty team works nights and weekends in every LA: its hours are seeded as every hour
of every day, so the out-of-hours rule no longer fires on its ordinary work.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from services.audit.rules import DEFAULT_SETTING_ROWS

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "audit"


def upgrade() -> None:
    op.add_column("alerts", sa.Column("count", sa.Integer, nullable=False, server_default="1"), schema=SCHEMA)
    op.add_column("alerts", sa.Column("last_seen_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    settings = op.create_table(
        "rule_settings",
        sa.Column("la_code", sa.String(20), primary_key=True),
        sa.Column("rule", sa.String(40), primary_key=True),
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("values", sa.JSON, nullable=False),
        schema=SCHEMA,
    )
    op.bulk_insert(settings, [{"la_code": la_code, "rule": rule, "category": category, "values": values}
                              for la_code, rule, category, values in DEFAULT_SETTING_ROWS])


def downgrade() -> None:
    op.drop_column("alerts", "last_seen_at", schema=SCHEMA)
    op.drop_column("alerts", "count", schema=SCHEMA)
    op.drop_table("rule_settings", schema=SCHEMA)
