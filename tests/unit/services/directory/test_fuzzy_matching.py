"""Fuzzy matching, case by case: the right child is found despite the slips people make, and ranked above the rest."""
from __future__ import annotations

from datetime import date

import pytest

from services.directory.matching import MIN_SCORE, dated_keys, dated_keys_of, name_similarity, named_keys, phonetic_codes, search_keys
from services.directory.rules import MAX_RESULTS, REFINE_NOTICE
from services.directory.queries import search
from tests.unit.services.directory.test_queries import BORN, add, found, results, session  # noqa: F401  (the fixture)


@pytest.mark.parametrize("typed, held", [
    ("Smiht", "Smith"), ("Smth", "Smith"), ("Smyth", "Smith"), ("Thompson", "Thomson"), ("Mohammed", "Muhammad"),
    ("Jonse", "Jones"), ("McDonald", "MacDonald"), ("O Brien", "O'Brien"),
])
def test_a_family_name_mistyped_or_spelt_another_way_still_finds_the_child(session, typed, held):
    add(session, "CP-RIGHT", family_name=held)
    add(session, "CP-OTHER", family_name="Okonkwo")

    assert found(session, family_name=typed, date_of_birth=BORN) == ["CP-RIGHT"]


def test_an_exact_name_ranks_above_a_near_one(session):
    add(session, "CP-SMYTH", family_name="Smyth")
    add(session, "CP-SMITH", family_name="Smith")

    ranked = results(session, family_name="Smith", date_of_birth=BORN)

    assert [r["contactpoint_id"] for r in ranked] == ["CP-SMITH", "CP-SMYTH"]
    assert ranked[0]["score"] > ranked[1]["score"]


def test_a_name_unlike_the_one_given_is_not_shown_even_born_the_same_day(session):
    add(session, "CP-PATEL", family_name="Patel")

    assert found(session, family_name="Smith", date_of_birth=BORN) == []


def test_a_former_family_name_finds_the_child_just_below_a_current_one(session):
    add(session, "CP-NOW-JONES", family_name="Jones", former_family_names=["Smith"])
    add(session, "CP-STILL-SMITH", family_name="Smith")

    ranked = results(session, family_name="Smith", given_name="Amy", date_of_birth=BORN)

    assert [r["contactpoint_id"] for r in ranked] == ["CP-STILL-SMITH", "CP-NOW-JONES"]


# Without a date of birth, names are looked up within the postcode district given: LS1 6BB is not LS1 4AP, but both are LS1.
def test_a_former_family_name_finds_the_child_without_a_date_of_birth_through_its_phonetic_keys(session):
    add(session, "CP-MOVED", family_name="Jones", former_family_names=["Smith"], postcode="LS1 6BB")

    assert found(session, family_name="Smith", given_name="Amy", postcode="LS1 4AP") == ["CP-MOVED"]


@pytest.mark.parametrize("given", ["Amy", "Mae", "Amy-Mae", "amy mae", "Louise"])
def test_a_hyphenated_or_middle_given_name_finds_the_child(session, given):
    add(session, "CP-AMY-MAE", given_names=["Amy-Mae", "Louise"])

    assert found(session, given_name=given, date_of_birth=BORN, postcode="LS1 4AP") == ["CP-AMY-MAE"]


def test_given_names_in_the_other_order_still_find_the_child(session):
    add(session, "CP-AMY", given_names=["Amy", "Louise"], postcode="LS1 6BB")

    assert found(session, family_name="Smith", given_name="Louise", postcode="LS1 4AP") == ["CP-AMY"]


def test_a_mistyped_name_with_no_date_of_birth_is_found_by_phonetic_keys_at_another_postcode(session):
    add(session, "CP-AMY", family_name="Smyth", postcode="LS1 6BB")

    assert found(session, family_name="Smith", given_name="Aimee", postcode="LS1 4AP") == ["CP-AMY"]


def test_day_and_month_swapped_and_a_mistyped_name_together_still_find_the_child(session):
    add(session, "CP-AMY", family_name="Williams", born=date(2012, 4, 3))

    (only,) = results(session, family_name="Wiliams", given_name="Amy", date_of_birth=BORN)

    assert only["contactpoint_id"] == "CP-AMY" and MIN_SCORE <= only["score"] < 1.0


def test_exact_matches_are_never_cut_by_the_cap_however_many_near_ones_are_read_first(session):
    for n in range(MAX_RESULTS * 3):
        add(session, f"CP-A{n:03d}", family_name="Smyth")
    add(session, "CP-Z-EXACT", family_name="Smith")

    answer = search(session, {"family_name": "Smith", "date_of_birth": BORN})

    assert answer["results"][0]["contactpoint_id"] == "CP-Z-EXACT"
    assert len(answer["results"]) == MAX_RESULTS and answer["notice"] == REFINE_NOTICE


def test_no_notice_when_every_match_is_shown(session):
    add(session, "CP-AMY")

    assert "notice" not in search(session, {"family_name": "Smith", "date_of_birth": BORN})


def test_phonetic_codes_are_precomputed_per_family_and_given_name_pair():
    assert named_keys(["Smith"], ["Amy"], "LS1") == {f"LS1:{family}:{given}" for family in phonetic_codes("smith") for given in phonetic_codes("amy")}
    assert named_keys(["Smith-Jones"], ["Amy"], "LS1") >= named_keys(["Jones"], ["Amy"], "LS1")
    assert not named_keys(["Smith"], ["Amy"], "LS1") & named_keys(["Smith"], ["Amy"], "M1")


def test_a_date_of_birth_is_keyed_with_each_names_sound_and_the_others_initial_so_either_name_narrows_a_search_by_date():
    keys = search_keys(["Smith"], ["Amy"], BORN, "LS1")
    held = dated_keys_of(["Smith"], ["Amy"], {BORN})

    assert held.by_family == {f"{BORN}:f:{code}:a" for code in phonetic_codes("smith")}
    assert held.by_given == {f"{BORN}:g:{code}:s" for code in phonetic_codes("amy")}
    assert held.by_initials == {f"{BORN}:i:sa"}
    assert set().union(*held) <= keys
    # A search with one name only has every initial of the other.
    assert dated_keys_of(["Smith"], [""], {BORN}).by_family & keys and dated_keys_of([""], ["Amy"], {BORN}).by_given & keys
    assert not dated_keys(["Smith"], ["Amy"], {date(2012, 4, 3)}) & keys


def test_a_search_by_date_reads_the_children_whose_names_sound_alike_not_everyone_born_that_day(session):
    add(session, "CP-AMY", family_name="Smith", given_names=("Amy",))
    add(session, "CP-SAME-DAY", family_name="Okafor", given_names=("Chidi",))

    assert found(session, family_name="Smith", given_name="Amy", date_of_birth=BORN) == ["CP-AMY"]
    # A family name mistyped past its sound is found by the given name's key on that date.
    assert found(session, family_name="Snith", given_name="Amy", date_of_birth=BORN) == ["CP-AMY"]


def test_when_no_name_sounds_alike_a_search_by_date_still_ranks_every_child_born_that_day(session):
    add(session, "CP-AMY", family_name="Smith", given_names=("Amy",))

    assert found(session, family_name="Smitt", date_of_birth=BORN) == ["CP-AMY"]


def test_similarity_of_names_in_another_script_uses_their_latin_letters():
    assert name_similarity("Иванова", ["Ivanova"]) == 1.0
