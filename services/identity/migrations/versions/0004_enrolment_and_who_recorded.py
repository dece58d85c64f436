"""Accounts are enrolled by their holders from a one-time link, and say who made them and who recorded their vetting.

An account waiting for its holder has no password and no second factor yet: only the hash of its
enrolment link and when the link expires. Who created an account, and who recorded its vetting
dates and when, are kept so that no one approves what an account they made asked for.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade() -> None:
    op.alter_column("users", "password_hash", nullable=True, schema=SCHEMA)
    op.alter_column("users", "totp_secret", nullable=True, schema=SCHEMA)
    op.add_column("users", sa.Column("enrolment_hash", sa.String(64), unique=True), schema=SCHEMA)
    op.add_column("users", sa.Column("enrolment_expires_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.add_column("users", sa.Column("created_by", sa.String(100)), schema=SCHEMA)
    op.add_column("users", sa.Column("vetting_recorded_by", sa.String(100)), schema=SCHEMA)
    op.add_column("users", sa.Column("vetting_recorded_at", sa.DateTime(timezone=True)), schema=SCHEMA)


def downgrade() -> None:
    for column in ("vetting_recorded_at", "vetting_recorded_by", "created_by", "enrolment_expires_at", "enrolment_hash"):
        op.drop_column("users", column, schema=SCHEMA)
