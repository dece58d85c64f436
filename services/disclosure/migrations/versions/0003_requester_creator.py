"""Who created the requester's account and when, as their token said, so that an approver the same administrator made
near then is refused: two accounts of one creator may be one person's.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "disclosure"


def upgrade() -> None:
    op.add_column("requests", sa.Column("requester_created_by", sa.String(100)), schema=SCHEMA)
    op.add_column("requests", sa.Column("requester_created_at", sa.DateTime(timezone=True)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("requests", "requester_created_at", schema=SCHEMA)
    op.drop_column("requests", "requester_created_by", schema=SCHEMA)
