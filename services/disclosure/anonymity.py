"""k-anonymity for the pseudonymised bulk file: no row may be one of fewer than k children who look alike.

A row's quasi-identifiers are what an outsider could know of a child: year and month of birth,
gender, postcode district, LA and the kinds of service involved. Every combination of them
that the file shows is shared by at least ``k`` of its rows. Each child is released at the
most detailed of these levels at which their combination is shared by at least ``k`` of the
children still unreleased, and suppressed (left out) when not even the least detailed is:

- as held;
- born in a year, not a month (the month left out);
- born in a year, in an LA, not a district (the district left out as well).

Only what is counted decides: the levels are worked out from how many children hold each
combination as held, so the file is written in a second read of the same children.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

DEFAULT_K = 5
AS_HELD, YEAR_OF_BIRTH, LA_ONLY = 0, 1, 2
LEVELS = (AS_HELD, YEAR_OF_BIRTH, LA_ONLY)


class Key(NamedTuple):
    birth_year: int
    birth_month: int | None
    gender: str
    postcode_district: str | None
    la_code: str
    service_kinds: tuple[str, ...]


def key_of(birth_year: int, birth_month: int, gender: str, postcode_district: str | None, la_code: str, service_kinds: Iterable[str]) -> Key:
    return Key(birth_year, birth_month, gender, postcode_district, la_code, tuple(sorted(service_kinds)))


def generalised(key: Key, level: int) -> Key:
    if level >= YEAR_OF_BIRTH:
        key = key._replace(birth_month=None)
    if level >= LA_ONLY:
        key = key._replace(postcode_district=None)
    return key


def release_levels(counts: Counter[Key], k: int = DEFAULT_K) -> dict[Key, int | None]:
    """For each combination as held, the level its children are released at; None for suppressed.

    A combination's children all go the same way, so the counts of the combinations still
    unreleased at one level give the counts at the next.
    """
    levels: dict[Key, int | None] = {}
    remaining = dict(counts)
    for level in LEVELS:
        at_level: Counter[Key] = Counter()
        for key, count in remaining.items():
            at_level[generalised(key, level)] += count
        released = {key for key in remaining if at_level[generalised(key, level)] >= k}
        levels.update(dict.fromkeys(released, level))
        remaining = {key: count for key, count in remaining.items() if key not in released}
    levels.update(dict.fromkeys(remaining, None))
    return levels
