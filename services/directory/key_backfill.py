"""Giving the children already held the search keys a migration brings in, from the record they are shown by.

For the directory's Alembic revisions only: it works through ``alembic.op``, on the migration's
own connection and transaction. The keys are made as they were when each revision was written,
from the frozen forms and codes here, never from ``matching``: a revision must mean the same
whatever the live matching code becomes.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii
from doublemetaphone import doublemetaphone

SCHEMA = "directory"
BATCH = 10_000
# Keys of a date of birth with a name start with the date: ``YYYY-MM-DD:<code>``.
DATED = "____-__-__:%"


_NOT_A_LETTER = re.compile(r"[^a-z]")
_PART_SEPARATORS = re.compile(r"[\s\-]+")


def forms(name: str) -> set[str]:
    """The keys a name was known by at revisions 0005 to 0008: the whole name and each part, letters only, lower case."""
    whole = _NOT_A_LETTER.sub("", anyascii(name).lower())
    parts = {_NOT_A_LETTER.sub("", anyascii(part).lower()) for part in _PART_SEPARATORS.split(anyascii(name))}
    return ({whole} | parts) - {""}


def codes(names: Iterable[str]) -> set[str]:
    """The Double Metaphone codes of every form of these names, as revisions 0005 to 0008 made them."""
    return {code for name in names for form in forms(name) for code in doublemetaphone(form) if code}


def tables() -> tuple[sa.TableClause, sa.TableClause]:
    """``children`` and ``search_keys``, as far as keys need them."""
    return (sa.table("children", sa.column("contactpoint_id"), sa.column("record", sa.JSON), schema=SCHEMA),
            sa.table("search_keys", sa.column("key"), sa.column("contactpoint_id"), schema=SCHEMA))


def add_keys_of_every_child(keys_of: Callable[[dict], set[str]]) -> None:
    """Adds ``keys_of(record)`` for every child held, a batch of children at a time."""
    children, search_keys = tables()
    connection = op.get_bind()
    after = ""
    while rows := connection.execute(
        sa.select(children.c.contactpoint_id, children.c.record).where(children.c.contactpoint_id > after)
        .order_by(children.c.contactpoint_id).limit(BATCH)
    ).all():
        keys = [{"key": key, "contactpoint_id": contactpoint_id} for contactpoint_id, record in rows for key in keys_of(record)]
        if keys:
            connection.execute(sa.insert(search_keys), keys)
        after = rows[-1].contactpoint_id
