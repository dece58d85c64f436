"""Blocking keys on source records, review tasks for unsure matches.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "feeds"
PAIRS = (("family_key", "date_of_birth"), ("given_key", "date_of_birth"), ("postcode", "date_of_birth"),
         ("postcode", "given_key"), ("family_key", "given_key"), ("postcode", "family_key"))


def upgrade() -> None:
    op.add_column("children", sa.Column("merged_into", sa.String(40)), schema=SCHEMA)
    op.add_column("source_records", sa.Column("given_key", sa.String(100), nullable=False, server_default=""), schema=SCHEMA)
    op.add_column("source_records", sa.Column("postcode", sa.String(10), nullable=False, server_default=""), schema=SCHEMA)
    op.add_column("source_records", sa.Column("upn", sa.String(13)), schema=SCHEMA)
    op.add_column("source_records", sa.Column("linked_by", sa.String(200)), schema=SCHEMA)
    op.create_index("ix_source_records_upn", "source_records", ["upn"], schema=SCHEMA)
    for pair in PAIRS[1:]:
        op.create_index(f"ix_source_records_{pair[0]}_{pair[1].replace('date_of_birth', 'dob')}", "source_records", list(pair), schema=SCHEMA)
    op.create_table(
        "review_tasks",
        sa.Column("task_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("contactpoint_id", sa.String(40), sa.ForeignKey(f"{SCHEMA}.children.contactpoint_id"), nullable=False, index=True),
        sa.Column("candidate_id", sa.String(40), sa.ForeignKey(f"{SCHEMA}.children.contactpoint_id"), nullable=False, index=True),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("review_tasks", schema=SCHEMA)
    for pair in PAIRS[1:]:
        op.drop_index(f"ix_source_records_{pair[0]}_{pair[1].replace('date_of_birth', 'dob')}", "source_records", schema=SCHEMA)
    op.drop_index("ix_source_records_upn", "source_records", schema=SCHEMA)
    for column in ("linked_by", "upn", "postcode", "given_key"):
        op.drop_column("source_records", column, schema=SCHEMA)
    op.drop_column("children", "merged_into", schema=SCHEMA)
