"""Name keys: case, spaces, hyphens, apostrophes and accents do not tell two names apart; letters do."""
from __future__ import annotations

import pytest

from shared.names import name_key, name_parts


@pytest.mark.parametrize("written", ["O'Brien-Smith", "obrien smith", "OBRIEN  SMITH", "O’Brien Smith", " o'brien-smith "])
def test_ways_of_writing_the_same_name_share_one_key(written):
    assert name_key(written) == "obriensmith"


@pytest.mark.parametrize("accented, plain", [("Zoë", "Zoe"), ("Chloé", "CHLOE"), ("Siân", "sian"), ("Ó Súilleabháin", "O Suilleabhain")])
def test_accents_do_not_tell_two_names_apart(accented, plain):
    assert name_key(accented) == name_key(plain)


@pytest.mark.parametrize("one, other", [("Smith", "Smyth"), ("Amy", "Amie"), ("Ann", "Anne"), ("Lee", "Leigh")])
def test_names_spelt_with_different_letters_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


def test_a_key_holds_only_lower_case_letters():
    assert name_key("Mary-Jane 2nd (jr.)") == "maryjanendjr"


@pytest.mark.parametrize("one, other", [("Иванова", "Петрова"), ("محمد", "علي"), ("Παπαδόπουλος", "Νικολάου"), ("王", "李")])
def test_names_in_other_scripts_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize("written, latin", [("Иванова", "ivanova"), ("王", "wang"), ("Παπαδόπουλος", "papadopoylos")])
def test_a_name_in_another_script_is_keyed_by_its_latin_letters(written, latin):
    assert name_key(written) == latin


def test_the_parts_of_a_hyphenated_or_many_word_name_have_keys_of_their_own():
    assert name_parts("Amy-Louise  O'Brien") == ["amy", "louise", "obrien"]
