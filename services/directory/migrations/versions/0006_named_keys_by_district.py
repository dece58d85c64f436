"""Keys of two names scoped to the postcode district the child lives in.

A search by two names and a postcode (no date of birth) read every child in the country whose
names sounded alike: thousands nationally for common names. The keys for two names now carry
the child's postcode district, so such a search reads the children of those names in that
district (and, as before, every child at the postcode). Children held before this revision
have their keys for two names replaced here, from the record they are shown by.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from services.directory.matching import named_keys
from shared.contracts.validators import postcode_district

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 10_000
DATED = "____-__-__:%"


def _tables():
    # SQLite holds the schema as an attached alias of the same file: written through both names in
    # one transaction, the file is locked against itself. There the tables are named plainly.
    schema = None if op.get_context().dialect.name == "sqlite" else "directory"
    return (sa.table("children", sa.column("contactpoint_id"), sa.column("record", sa.JSON), schema=schema),
            sa.table("search_keys", sa.column("key"), sa.column("contactpoint_id"), schema=schema))


def upgrade() -> None:
    _replace_named_keys(in_district=True)


def downgrade() -> None:
    _replace_named_keys(in_district=False)


def _replace_named_keys(in_district: bool) -> None:
    children, search_keys = _tables()
    connection = op.get_bind()
    connection.execute(search_keys.delete().where(search_keys.c.key.not_like(DATED)))
    after = ""
    while rows := connection.execute(
        sa.select(children.c.contactpoint_id, children.c.record).where(children.c.contactpoint_id > after)
        .order_by(children.c.contactpoint_id).limit(BATCH)
    ).all():
        keys = [{"key": key, "contactpoint_id": contactpoint_id} for contactpoint_id, record in rows for key in _named(record, in_district)]
        if keys:
            connection.execute(sa.insert(search_keys), keys)
        after = rows[-1].contactpoint_id


def _named(record: dict, in_district: bool) -> set[str]:
    """The keys for two names as this revision (in the district) or the one before it (anywhere) made them."""
    demographics = record["demographics"]
    keys = named_keys([demographics["family_name"], *demographics.get("former_family_names", [])], demographics["given_names"],
                      postcode_district(demographics["address"]["postcode"]))
    return keys if in_district else {key.split(":", 1)[1] for key in keys}
