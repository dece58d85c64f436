"""Keys of each child's date of birth with the sound of each of its names, for children held before they were kept.

A search by date of birth now reads the children born that day whose names sound like one of
the names given, through ``search_keys``, instead of every child born that day. Children held
before this revision get their dated keys here, from the record they are shown by.

Revision ID: 0005
Revises: 0004
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

from services.directory.matching import dated_keys

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 10_000


def _tables():
    # SQLite holds the schema as an attached alias of the same file: written through both names in
    # one transaction, the file is locked against itself. There the tables are named plainly.
    schema = None if op.get_context().dialect.name == "sqlite" else "directory"
    return (sa.table("children", sa.column("contactpoint_id"), sa.column("record", sa.JSON), schema=schema),
            sa.table("search_keys", sa.column("key"), sa.column("contactpoint_id"), schema=schema))


def upgrade() -> None:
    children, search_keys = _tables()
    connection = op.get_bind()
    after = ""
    while rows := connection.execute(
        sa.select(children.c.contactpoint_id, children.c.record).where(children.c.contactpoint_id > after)
        .order_by(children.c.contactpoint_id).limit(BATCH)
    ).all():
        keys = [{"key": key, "contactpoint_id": contactpoint_id} for contactpoint_id, record in rows for key in _dated(record)]
        if keys:
            connection.execute(sa.insert(search_keys), keys)
        after = rows[-1].contactpoint_id


def _dated(record: dict) -> set[str]:
    demographics = record["demographics"]
    return dated_keys([demographics["family_name"], *demographics.get("former_family_names", [])], demographics["given_names"],
                      {date.fromisoformat(str(demographics["date_of_birth"])[:10])})


def downgrade() -> None:
    _, search_keys = _tables()
    op.execute(search_keys.delete().where(search_keys.c.key.like("____-__-__:%")))
