"""Phonetic search keys, and an index on postcodes, so that fuzzy searches read indexes, not the whole table.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "directory"


def upgrade() -> None:
    op.create_table(
        "search_keys",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("contactpoint_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("key", "contactpoint_id", name="pk_search_keys"),
        schema=SCHEMA,
    )
    op.create_index("ix_children_postcode", "children", ["postcode"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_children_postcode", "children", schema=SCHEMA)
    op.drop_table("search_keys", schema=SCHEMA)
