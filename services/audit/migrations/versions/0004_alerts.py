"""Alerts raised by the misuse rules, and what their investigation found.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "audit"


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("la_code", sa.String(20), nullable=False, index=True),
        sa.Column("actor_username", sa.String(100)),
        sa.Column("contactpoint_id", sa.String(40)),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("investigated_by", sa.String(100)),
        sa.Column("investigated_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.String(4000)),
        sa.Index("ix_alerts_rule_key_raised_at", "rule", "key", "raised_at"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("alerts", schema=SCHEMA)
