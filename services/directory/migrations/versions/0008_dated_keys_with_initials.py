"""Dated keys that narrow as the population grows: one name's sound with the other's initial, and both initials.

A key of a date of birth with one name's sound (revision 0005) reads every child born on the
dates meant whose family or given name sounds like either name given: about 90 children a
search nationally, and growing with the population. Each dated key now also holds the other
name's first letter (``<date>:f:<family code>:<given initial>``, ``<date>:g:<given code>:<family initial>``),
about 7 a search nationally, and ``<date>:i:<family initial><given initial>`` narrows the last
resort (both names mistyped past their sound) from every child born then to those of the same
initials. The dated keys of revision 0005 are replaced here, from the record each child is shown by.

Revision ID: 0008
Revises: 0007
"""
from datetime import date

from alembic import op

from services.directory.key_backfill import DATED, add_keys_of_every_child, codes, forms, tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _replace_dated_keys(dated_keys)


def downgrade() -> None:
    _replace_dated_keys(dated_keys_of_0005)


def _replace_dated_keys(keys_of) -> None:
    _, search_keys = tables()
    op.execute(search_keys.delete().where(search_keys.c.key.like(DATED)))
    add_keys_of_every_child(keys_of)


def dated_keys(record: dict) -> set[str]:
    """The dated keys of this revision: by the family name's sound, by the given name's, and by both initials."""
    born, family_names, given_names = _of(record)
    family_initials = {form[0] for name in family_names for form in forms(name)}
    given_initials = {form[0] for name in given_names for form in forms(name)}
    return ({f"{born}:f:{code}:{initial}" for code in codes(family_names) for initial in given_initials}
            | {f"{born}:g:{code}:{initial}" for code in codes(given_names) for initial in family_initials}
            | {f"{born}:i:{family}{given}" for family in family_initials for given in given_initials})


def dated_keys_of_0005(record: dict) -> set[str]:
    born, family_names, given_names = _of(record)
    return {f"{born}:{code}" for code in codes([*family_names, *given_names])}


def _of(record: dict) -> tuple[str, list[str], list[str]]:
    demographics = record["demographics"]
    return (date.fromisoformat(str(demographics["date_of_birth"])[:10]).isoformat(),
            [demographics["family_name"], *demographics.get("former_family_names", [])], demographics["given_names"])
