"""The archive of children who have left the directory by age, and whether a child's record is kept to 25.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "directory"


def upgrade() -> None:
    op.add_column("children", sa.Column("retain_to_25", sa.Boolean, nullable=False, server_default=sa.false()), schema=SCHEMA)
    op.create_table(
        "archived_children",
        sa.Column("contactpoint_id", sa.String(40), primary_key=True),
        sa.Column("archived_on", sa.Date, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_archived_children_archived_on", "archived_children", ["archived_on"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("archived_children", schema=SCHEMA)
    op.drop_column("children", "retain_to_25", schema=SCHEMA)
