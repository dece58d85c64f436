"""A covering index for searches by date of birth: the candidates come from the index alone, not from hundreds of heap pages.

A search by date of birth reads every active child born that day (and on the day with day and
month swapped) and scores each one. The index holds what the score and the summary need, so
PostgreSQL answers with an index-only scan of a few pages instead of one table page a child.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "directory"
SCORED = ["contactpoint_id", "shielded", "family_name", "given_names", "former_family_keys", "gender", "postcode", "nhs_number", "upn"]


def upgrade() -> None:
    op.create_index("ix_children_dob_scored", "children", ["date_of_birth"], schema=SCHEMA,
                    postgresql_include=SCORED, postgresql_where=sa.text("active"))


def downgrade() -> None:
    op.drop_index("ix_children_dob_scored", "children", schema=SCHEMA)
