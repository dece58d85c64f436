"""Each event's producer and its number there, so a missing one shows; and the signed checkpoints of the chain head.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "audit"


def upgrade() -> None:
    op.add_column("events", sa.Column("producer", sa.String(200)), schema=SCHEMA)
    op.add_column("events", sa.Column("producer_seq", sa.BigInteger), schema=SCHEMA)
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger, nullable=False, index=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        schema=SCHEMA,
    )
    op.execute(f"CREATE TRIGGER refuse_row_change BEFORE UPDATE OR DELETE ON {SCHEMA}.checkpoints "
               f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change()")
    op.execute(f"CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON {SCHEMA}.checkpoints "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change()")


def downgrade() -> None:
    op.drop_table("checkpoints", schema=SCHEMA)
    op.drop_column("events", "producer_seq", schema=SCHEMA)
    op.drop_column("events", "producer", schema=SCHEMA)
