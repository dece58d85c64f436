"""Small-number suppression: no number from 1 to 4 is shown, and none can be worked out from the totals shown."""
from __future__ import annotations

import random
from datetime import date
from fractions import Fraction

import pytest

from services.disclosure.suppression import ALL, AGE_BANDS, age_band, published, sums, suppressed, tabulate

LA, OTHER_LA = "E08000035", "E09000001"


def determinable(counts: dict, hidden: set, key) -> bool:
    """Whether a reader of the shown numbers can solve for ``key`` exactly from the sums (exact linear algebra)."""
    unknowns = sorted(hidden)
    column = {k: i for i, k in enumerate(unknowns)}
    rows = []
    for total, members in sums(counts):
        row = [Fraction(0)] * len(unknowns)
        for entry, sign in ((total, -1), *((member, 1) for member in members)):
            if entry in column:
                row[column[entry]] += sign
        if any(row):
            rows.append(row)
    target = [Fraction(int(k == key)) for k in unknowns]
    return _rank(rows + [target]) == _rank(rows)


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [row[:] for row in rows]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank])]
        rank += 1
    return rank


def children(la: str, band: str, kind: str, how_many: int) -> list[tuple[str, str, list[str]]]:
    return [(la, band, [kind])] * how_many


def exposing_population() -> list:
    """One rare child in a line of big cells, a pair of small cells, and an LA whose only children are few."""
    return (
        children(LA, "5-9", "school", 40) + children(LA, "5-9", "health", 12) + children(LA, "5-9", "youth_offending", 1)
        + children(LA, "10-15", "school", 30) + children(LA, "10-15", "health", 9) + children(LA, "10-15", "social_care", 3)
        + children(LA, "10-15", "youth_offending", 2) + children(LA, "0-4", "health", 25)
        + children(OTHER_LA, "16-17", "connexions", 2)
    )


def assert_safe(counts: dict, hidden: set) -> None:
    for key, count in counts.items():
        assert not 0 < count < 5 or key in hidden, f"{key} = {count} is shown"
    for total, members in sums(counts):
        assert sum(entry in hidden for entry in (total, *members)) != 1, f"the sum of {total} gives away its one hidden number"
    for key in hidden:
        assert not determinable(counts, hidden, key), f"{key} can be worked out from what is shown"


def test_a_population_built_to_expose_small_cells_shows_none_of_them():
    counts = tabulate(exposing_population())
    hidden = suppressed(counts)

    assert_safe(counts, hidden)
    assert (LA, "5-9", "youth_offending") in hidden and (LA, "10-15", "social_care") in hidden
    assert (OTHER_LA, ALL, ALL) in hidden
    assert (LA, "5-9", "school") not in hidden  # big numbers with no small one to protect stay shown


def test_a_lone_small_cell_takes_a_partner_in_its_row_and_its_column():
    counts = tabulate(children(LA, "5-9", "school", 40) + children(LA, "5-9", "health", 12) + children(LA, "5-9", "youth_offending", 1)
                      + children(LA, "10-15", "youth_offending", 20) + children(LA, "10-15", "school", 20))
    hidden = suppressed(counts)

    assert (LA, "5-9", "youth_offending") in hidden
    assert (LA, "5-9", "health") in hidden  # the smallest other number in its row
    assert (LA, "10-15", "youth_offending") in hidden  # the only other number in its column
    assert_safe(counts, hidden)


@pytest.mark.parametrize("seed", range(25))
def test_random_sparse_populations_are_safe(seed):
    rng = random.Random(seed)
    kinds = ("school", "health", "youth_offending", "social_care", "mental_health")
    population = [
        (rng.choice((LA, OTHER_LA)), rng.choice(AGE_BANDS)[0], rng.sample(kinds, rng.choice((1, 1, 2))))
        for _ in range(rng.randrange(5, 120))
    ]
    counts = tabulate(population)

    assert_safe(counts, suppressed(counts))


def test_published_rows_hide_the_numbers_and_say_so():
    rows = published(tabulate(exposing_population()))

    shown = [row for row in rows if not row["suppressed"]]
    assert all(row["count"] is None for row in rows if row["suppressed"])
    assert all(row["count"] == 0 or row["count"] >= 5 for row in shown)
    assert {row["la_code"] for row in rows} == {LA, OTHER_LA}


def test_a_child_counts_once_in_each_kind_of_service_involved():
    counts = tabulate([(LA, "5-9", ["school", "health", "school"])])

    assert counts[LA, "5-9", "school"] == 1 and counts[LA, "5-9", "health"] == 1
    assert counts[LA, "5-9", ALL] == 2


@pytest.mark.parametrize("born, today, band", [
    ((2020, 5), date(2024, 4, 30), "0-4"),
    ((2019, 5), date(2024, 5, 1), "5-9"),
    ((2014, 6), date(2024, 5, 1), "5-9"),
    ((2008, 1), date(2024, 5, 1), "16-17"),
    ((2001, 1), date(2024, 5, 1), "18-25"),
])
def test_age_bands_come_from_the_year_and_month_of_birth(born, today, band):
    assert age_band(*born, today) == band
