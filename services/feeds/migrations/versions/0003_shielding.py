"""Shielding: a child whose source, or whose LA ContactPoint team, says they are at risk if found.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "feeds"


def upgrade() -> None:
    op.add_column("children", sa.Column("shielded", sa.Boolean, nullable=False, server_default=sa.false()), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("children", "shielded", schema=SCHEMA)
