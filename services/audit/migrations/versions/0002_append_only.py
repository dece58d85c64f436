"""The audit store refuses to change or remove what it holds: UPDATE, DELETE and TRUNCATE raise.

Only someone who can switch triggers off (``session_replication_role = replica``, a superuser)
gets past this; the hash chain and the signed checkpoints then show what they did.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "audit"
APPEND_ONLY = ("events", "event_subjects")


def upgrade() -> None:
    op.execute(f"""
        CREATE FUNCTION {SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit rows are append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
    """)
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER refuse_row_change BEFORE UPDATE OR DELETE ON {SCHEMA}.{table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change()")
        op.execute(f"CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON {SCHEMA}.{table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change()")


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER refuse_row_change ON {SCHEMA}.{table}")
        op.execute(f"DROP TRIGGER refuse_truncate ON {SCHEMA}.{table}")
    op.execute(f"DROP FUNCTION {SCHEMA}.refuse_change()")
