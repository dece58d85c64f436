"""Why an account is suspended or locked, to tell its holder at sign-in.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade() -> None:
    op.add_column("users", sa.Column("status_reason", sa.String(300)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("users", "status_reason", schema=SCHEMA)
