"""Keys of each child's date of birth with the sound of each of its names, for children held before they were kept.

A search by date of birth now reads the children born that day whose names sound like one of
the names given, through ``search_keys``, instead of every child born that day. Children held
before this revision get their dated keys here, from the record they are shown by.

Revision ID: 0005
Revises: 0004
"""
from datetime import date

from alembic import op

from services.directory.key_backfill import DATED, add_keys_of_every_child, codes, tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_keys_of_every_child(dated_keys)


def dated_keys(record: dict) -> set[str]:
    """``<date of birth>:<code>`` of every family, former family and given name, as this revision made them."""
    demographics = record["demographics"]
    born = date.fromisoformat(str(demographics["date_of_birth"])[:10]).isoformat()
    names = [demographics["family_name"], *demographics.get("former_family_names", []), *demographics["given_names"]]
    return {f"{born}:{code}" for code in codes(names)}


def downgrade() -> None:
    _, search_keys = tables()
    op.execute(search_keys.delete().where(search_keys.c.key.like(DATED)))
