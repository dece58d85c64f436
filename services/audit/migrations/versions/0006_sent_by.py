"""Each event keeps the broker user that sent it, as the broker verified it, beside the producer it claims.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "audit"


def upgrade() -> None:
    op.add_column("events", sa.Column("sent_by", sa.String(200)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("events", "sent_by", schema=SCHEMA)
