"""How to reach each LA's ContactPoint team, whose contact a shielded child's record gives in place of what it withholds.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "directory"


def upgrade() -> None:
    op.create_table(
        "la_teams",
        sa.Column("la_code", sa.String(20), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40)),
        sa.Column("email", sa.String(200)),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("la_teams", schema=SCHEMA)
