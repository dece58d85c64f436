"""Each account's holder has an email address, where identity sends what only the holder may see.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade() -> None:
    op.add_column("users", sa.Column("email", sa.String(254)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("users", "email", schema=SCHEMA)
