"""k-anonymity of the pseudonymised file: each child at the most detailed level at which k children look alike, or left out."""
from __future__ import annotations

from collections import Counter

from services.disclosure.anonymity import AS_HELD, LA_ONLY, YEAR_OF_BIRTH, generalised, key_of, release_levels

LA = "E08000035"


def a_key(month: int, district: str | None = "LS1", kinds=("school",), gender="female", year=2014):
    return key_of(year, month, gender, district, LA, kinds)


def released_counts(counts: Counter, levels: dict) -> Counter:
    shown: Counter = Counter()
    for key, count in counts.items():
        if levels[key] is not None:
            shown[generalised(key, levels[key])] += count
    return shown


def test_a_combination_of_k_children_is_released_as_held():
    counts = Counter({a_key(5): 5})

    assert release_levels(counts, k=5) == {a_key(5): AS_HELD}


def test_months_too_rare_alone_are_released_as_their_year():
    counts = Counter({a_key(1): 2, a_key(2): 2, a_key(3): 1})

    assert set(release_levels(counts, k=5).values()) == {YEAR_OF_BIRTH}


def test_districts_too_rare_even_by_year_are_released_as_their_la():
    counts = Counter({a_key(1, "LS3"): 2, a_key(2, "LS4"): 3})

    assert set(release_levels(counts, k=5).values()) == {LA_ONLY}


def test_what_is_rarer_than_k_at_every_level_is_suppressed_and_what_is_common_is_untouched():
    counts = Counter({a_key(5): 6, a_key(1, "LS9", kinds=("youth_offending",), gender="male"): 1})

    levels = release_levels(counts, k=5)

    assert levels[a_key(5)] == AS_HELD
    assert levels[a_key(1, "LS9", kinds=("youth_offending",), gender="male")] is None


def test_every_combination_released_is_shared_by_at_least_k_children_and_a_larger_k_generalises_more():
    counts = Counter({a_key(month, district): (month * 7 + len(district)) % 6 + 1
                      for month in range(1, 13) for district in ("LS1", "LS2", "LS3", "LS6", "LS10")})
    for k in (5, 10, 20):
        levels = release_levels(counts, k=k)

        assert all(count >= k for count in released_counts(counts, levels).values())
    assert sum(1 for level in release_levels(counts, k=20).values() if level != AS_HELD) >= \
        sum(1 for level in release_levels(counts, k=5).values() if level != AS_HELD)
