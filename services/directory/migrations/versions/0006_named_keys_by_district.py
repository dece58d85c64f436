"""Keys of two names scoped to the postcode district the child lives in.

A search by two names and a postcode (no date of birth) read every child in the country whose
names sounded alike: thousands nationally for common names. The keys for two names now carry
the child's postcode district, so such a search reads the children of those names in that
district (and, as before, every child at the postcode). Children held before this revision
have their keys for two names replaced here, from the record they are shown by.

Revision ID: 0006
Revises: 0005
"""
from functools import partial

from alembic import op

from services.directory.key_backfill import DATED, add_keys_of_every_child, codes, tables
from shared.contracts.validators import postcode_district

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _replace_named_keys(in_district=True)


def downgrade() -> None:
    _replace_named_keys(in_district=False)


def _replace_named_keys(in_district: bool) -> None:
    _, search_keys = tables()
    op.execute(search_keys.delete().where(search_keys.c.key.not_like(DATED)))
    add_keys_of_every_child(partial(_named, in_district=in_district))


def _named(record: dict, in_district: bool) -> set[str]:
    """The keys for two names as this revision (in the district) or the one before it (anywhere) made them."""
    demographics = record["demographics"]
    district = postcode_district(demographics["address"]["postcode"])
    keys = {f"{district}:{family}:{given}" for family in codes([demographics["family_name"], *demographics.get("former_family_names", [])])
            for given in codes(demographics["given_names"])}
    return keys if in_district else {key.split(":", 1)[1] for key in keys}
