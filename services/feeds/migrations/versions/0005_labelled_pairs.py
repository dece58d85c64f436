"""The pairs people decided in review, each labelled one child or two, for estimating how well matching does.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "feeds"


def upgrade() -> None:
    op.create_table(
        "labelled_pairs",
        sa.Column("task_id", sa.BigInteger, sa.ForeignKey(f"{SCHEMA}.review_tasks.task_id"), primary_key=True),
        sa.Column("same_child", sa.Boolean, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("candidate", sa.JSON, nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, index=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("labelled_pairs", schema=SCHEMA)
