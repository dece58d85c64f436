"""Source records are found by both names beside the birth date's year or its birthday, no longer by both names alone: at
national size the commonest pair of names is shared by hundreds of children, every one of whom each record bearing it read.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "feeds"
NAMES = ("family_key", "given_key")


def upgrade() -> None:
    op.add_column("source_records", sa.Column("birth_year", sa.SmallInteger), schema=SCHEMA)
    op.add_column("source_records", sa.Column("birthday", sa.String(5)), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.source_records SET birth_year = extract(year FROM date_of_birth), birthday = to_char(date_of_birth, 'MM-DD')")
    for column in ("birth_year", "birthday"):
        op.alter_column("source_records", column, nullable=False, schema=SCHEMA)
        op.create_index(f"ix_source_records_family_key_given_key_{column}", "source_records", [*NAMES, column], schema=SCHEMA)
    op.drop_index("ix_source_records_family_key_given_key", "source_records", schema=SCHEMA)


def downgrade() -> None:
    op.create_index("ix_source_records_family_key_given_key", "source_records", list(NAMES), schema=SCHEMA)
    for column in ("birth_year", "birthday"):
        op.drop_index(f"ix_source_records_family_key_given_key_{column}", "source_records", schema=SCHEMA)
        op.drop_column("source_records", column, schema=SCHEMA)
