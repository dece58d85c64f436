"""Children, and the outbox.

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

SCHEMA = "directory"


def upgrade() -> None:
    create_messaging_tables(op, SCHEMA)
    op.create_table(
        "children",
        sa.Column("contactpoint_id", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("la_code", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("shielded", sa.Boolean, nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("family_key", sa.String(100), nullable=False),
        sa.Column("given_names", sa.JSON, nullable=False),
        sa.Column("former_family_keys", sa.JSON, nullable=False),
        sa.Column("date_of_birth", sa.Date, nullable=False),
        sa.Column("gender", sa.String(20), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("nhs_number", sa.String(10), index=True),
        sa.Column("upn", sa.String(13), index=True),
        sa.Column("record", sa.JSON, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_children_family_key_dob", "children", ["family_key", "date_of_birth"], schema=SCHEMA)
    op.create_index("ix_children_dob", "children", ["date_of_birth"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("children", schema=SCHEMA)
    op.drop_table("processed_messages", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
