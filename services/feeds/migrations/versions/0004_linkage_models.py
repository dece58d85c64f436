"""The linkage models put in force, for matching to score with.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "feeds"


def upgrade() -> None:
    op.create_table(
        "linkage_models",
        sa.Column("version", sa.String(100), primary_key=True),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("put_in_force_by", sa.String(200), nullable=False),
        sa.Column("put_in_force_at", sa.DateTime(timezone=True), nullable=False, index=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("linkage_models", schema=SCHEMA)
