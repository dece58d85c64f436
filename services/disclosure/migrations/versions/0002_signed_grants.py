"""A request approved keeps the grant the disclosure service signed for it, which the directory checks before it discloses.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "disclosure"


def upgrade() -> None:
    op.add_column("requests", sa.Column("grant", sa.Text), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("requests", "grant", schema=SCHEMA)
