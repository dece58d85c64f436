"""Each event's producer and its number there, so a missing one shows; and the signed checkpoints of the chain head.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from shared.db import BigId

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "audit"


def _altered_schema() -> str | None:
    """ALTER TABLE names its schema as written: SQLite's files have none."""
    return None if op.get_context().dialect.name == "sqlite" else SCHEMA


def upgrade() -> None:
    op.add_column("events", sa.Column("producer", sa.String(200)), schema=_altered_schema())
    op.add_column("events", sa.Column("producer_seq", sa.BigInteger), schema=_altered_schema())
    op.create_table(
        "checkpoints",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("seq", BigId, nullable=False, index=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        schema=SCHEMA,
    )
    if op.get_context().dialect.name == "sqlite":
        for change in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER checkpoints_refuse_{change.lower()} BEFORE {change} ON checkpoints "
                       f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END")
        return
    op.execute(f"CREATE TRIGGER refuse_row_change BEFORE UPDATE OR DELETE ON {SCHEMA}.checkpoints "
               f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change()")
    op.execute(f"CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON {SCHEMA}.checkpoints "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change()")


def downgrade() -> None:
    op.drop_table("checkpoints", schema=SCHEMA)
    op.drop_column("events", "producer_seq", schema=_altered_schema())
    op.drop_column("events", "producer", schema=_altered_schema())
