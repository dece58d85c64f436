"""Anonymised counts: children by LA, age band and kind of service, with small numbers suppressed.

A child is counted once in each kind of service involved with them. Each LA's table comes
with its totals (by age band, by kind, and overall), each the sum of the cells it covers, so
a reader can check the table adds up — and could, from the totals, work out a hidden cell
that is alone in its line. So:

- primary suppression hides every number from 1 to 4, cell or total;
- secondary suppression then makes sure that no sum (a total and the numbers it adds up)
  has exactly one hidden number: where one does, the smallest other non-zero number in it
  is hidden too (or the total, when nothing else is left), until no sum gives one away.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from shared.contracts.feeds import SERVICE_KINDS

SMALLEST_SHOWN = 5
ALL = "all"
# (name, youngest, oldest) in whole years; records are kept to 18, or to 25 with consent.
AGE_BANDS = (("0-4", 0, 4), ("5-9", 5, 9), ("10-15", 10, 15), ("16-17", 16, 17), ("18-25", 18, 25))
BAND_NAMES = tuple(name for name, _, _ in AGE_BANDS)

Key = tuple[str, str, str]  # (la_code, age band or ALL, service kind or ALL)


def age_in_years(birth_year: int, birth_month: int, today: date) -> int:
    """Age in whole years, to the month (the day of birth is not kept)."""
    return (today.year * 12 + today.month - birth_year * 12 - birth_month) // 12


def age_band(birth_year: int, birth_month: int, today: date) -> str:
    age = min(max(age_in_years(birth_year, birth_month, today), AGE_BANDS[0][1]), AGE_BANDS[-1][2])
    return next(name for name, youngest, oldest in AGE_BANDS if youngest <= age <= oldest)


def tabulate(children: Iterable[tuple[str, str, Iterable[str]]]) -> dict[Key, int]:
    """Every cell and total of each LA's table, zeros included, from ``(la_code, age_band, kinds)`` per child."""
    cells: Counter[Key] = Counter()
    for la_code, band, kinds in children:
        for kind in set(kinds):
            cells[la_code, band, kind] += 1
    counts: dict[Key, int] = {}
    for la_code in sorted({la for la, _, _ in cells}):
        for band in BAND_NAMES:
            for kind in SERVICE_KINDS:
                counts[la_code, band, kind] = cells[la_code, band, kind]
            counts[la_code, band, ALL] = sum(counts[la_code, band, kind] for kind in SERVICE_KINDS)
        for kind in SERVICE_KINDS:
            counts[la_code, ALL, kind] = sum(counts[la_code, band, kind] for band in BAND_NAMES)
        counts[la_code, ALL, ALL] = sum(counts[la_code, band, ALL] for band in BAND_NAMES)
    return counts


def sums(counts: dict[Key, int]) -> list[tuple[Key, list[Key]]]:
    """Each published total with the numbers it adds up."""
    found = []
    for la_code in sorted({la for la, _, _ in counts}):
        found += [((la_code, band, ALL), [(la_code, band, kind) for kind in SERVICE_KINDS]) for band in BAND_NAMES]
        found += [((la_code, ALL, kind), [(la_code, band, kind) for band in BAND_NAMES]) for kind in SERVICE_KINDS]
        found.append(((la_code, ALL, ALL), [(la_code, band, ALL) for band in BAND_NAMES]))
        found.append(((la_code, ALL, ALL), [(la_code, ALL, kind) for kind in SERVICE_KINDS]))
    return found


def suppressed(counts: dict[Key, int], smallest_shown: int = SMALLEST_SHOWN) -> set[Key]:
    """The numbers to hide: the small ones, and those that would let a reader work out a small one."""
    hidden = {key for key, count in counts.items() if 0 < count < smallest_shown}
    equations = sums(counts)
    changed = True
    while changed:
        changed = False
        for total, members in equations:
            if sum(entry in hidden for entry in (total, *members)) == 1:
                hidden.add(_partner(total, members, counts, hidden))
                changed = True
    return hidden


def _partner(total: Key, members: list[Key], counts: dict[Key, int], hidden: set[Key]) -> Key:
    """What else to hide in a sum with one hidden number: the smallest non-zero number, else the total, else a zero."""
    shown = [member for member in members if member not in hidden]
    non_zero = [member for member in shown if counts[member] > 0]
    if non_zero:
        return min(non_zero, key=lambda member: (counts[member], member))
    if total not in hidden:
        return total
    return min(shown)


def published(counts: dict[Key, int], smallest_shown: int = SMALLEST_SHOWN) -> list[dict]:
    """The rows of the anonymised file, in a stable order; a hidden count is ``None``."""
    hidden = suppressed(counts, smallest_shown)
    return [
        {"la_code": la_code, "age_band": band, "service_kind": kind,
         "count": None if (la_code, band, kind) in hidden else count, "suppressed": (la_code, band, kind) in hidden}
        for (la_code, band, kind), count in counts.items()
    ]
