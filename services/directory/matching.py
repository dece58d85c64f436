"""Matching a child to imperfect details: phonetic keys to find candidates, a similarity score to rank them.

Names are compared by their keys (``shared.names``) and by Double Metaphone codes, so that
``Smyth`` finds ``Smith`` and ``Mohammed`` finds ``Muhammad``; Jaro–Winkler similarity ranks
typing slips (``Smiht``). A hyphenated or many-part name matches on any of its parts, a
family name on any former family name, and a date of birth with day and month swapped still
counts, a little less. Each criterion given scores from 0 to 1 and the score is their
weighted mean; a candidate below ``MIN_SCORE`` is not shown.
"""
from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import jellyfish
from doublemetaphone import doublemetaphone

from shared.contracts.validators import district_of, postcode_district
from shared.names import name_key, name_parts

WEIGHTS = {"family_name": 0.35, "given_name": 0.25, "date_of_birth": 0.25, "postcode": 0.15, "identifier": 1.0}
MIN_SCORE = 0.55
# Below this, two names are taken as different names, not as one name mistyped.
NAME_FLOOR = 0.75
SOUNDS_ALIKE = 0.9
PART_OF_NAME = 0.95
FORMER_NAME = 0.95
OTHER_GIVEN_NAME = 0.95
SWAPPED_DATE = 0.8
SAME_DISTRICT = 0.4
# The criteria that say where a child lives: never used to rank a shielded child.
PLACE_CRITERIA = frozenset({"postcode"})


@lru_cache(maxsize=65536)
def phonetic_codes(key: str) -> frozenset[str]:
    """The Double Metaphone codes of a name key (primary and alternate)."""
    return frozenset(code for code in doublemetaphone(key) if code)


def name_forms(name: str) -> set[str]:
    """The keys a name is known by: the whole name and each of its parts."""
    return {name_key(name), *name_parts(name)} - {""}


def search_keys(family_names: Iterable[str], given_names: Iterable[str], born: date, district: str) -> set[str]:
    """The precomputed keys a child is found by: ``named_keys`` of its names where it lives, and ``dated_keys`` of its
    names and date of birth."""
    return named_keys(family_names, given_names, district) | dated_keys(family_names, given_names, {born})


def named_keys(family_names: Iterable[str], given_names: Iterable[str], district: str) -> set[str]:
    """Keys for two names in a postcode district, for a search with no date: ``<district>:<family code>:<given code>``.

    Without the district a search by two common names reads every child of those names in the
    country: thousands nationally for a Jack Smith.
    """
    return {f"{district}:{family}:{given}" for family in _codes(family_names) for given in _codes(given_names)}


class DatedKeys(NamedTuple):
    """The keys of a date of birth with two names, by what of each name they hold.

    ``<date>:f:<family code>:<given initial>`` holds the family name by its sound and the given name by its first
    letter, ``<date>:g:<given code>:<family initial>`` the other way round: a slip in one name past its sound still
    finds the child by the other's, and each key narrows as the population grows (a key of one name's sound alone
    reads about 90 children born on the dates meant nationally, one with the other's initial about 7).
    ``<date>:i:<family initial><given initial>`` holds both names by their initials only: the last resort, when
    both names were mistyped past their sound.
    """

    by_family: set[str]
    by_given: set[str]
    by_initials: set[str]


def dated_keys_of(family_names: Iterable[str], given_names: Iterable[str], dates: Iterable[date]) -> DatedKeys:
    """The ``DatedKeys`` of these names and dates; a name not given (``[""]``) has every initial and no sound."""
    family_names, given_names, dates = list(family_names), list(given_names), [day.isoformat() for day in dates]
    family_initials, given_initials = _initials(family_names) or INITIALS, _initials(given_names) or INITIALS
    return DatedKeys(
        by_family={f"{day}:f:{code}:{initial}" for day in dates for code in _codes(family_names) for initial in given_initials},
        by_given={f"{day}:g:{code}:{initial}" for day in dates for code in _codes(given_names) for initial in family_initials},
        by_initials={f"{day}:i:{family}{given}" for day in dates for family in family_initials for given in given_initials},
    )


def dated_keys(family_names: Iterable[str], given_names: Iterable[str], dates: Iterable[date]) -> set[str]:
    """Every key of ``dated_keys_of``: those a child is held by for its date of birth."""
    return set().union(*dated_keys_of(family_names, given_names, dates))


INITIALS = frozenset(string.ascii_lowercase)


def _initials(names: Iterable[str]) -> set[str]:
    return {form[0] for name in names for form in name_forms(name)}


def _codes(names: Iterable[str]) -> set[str]:
    return {code for name in names for form in name_forms(name) for code in phonetic_codes(form)}


def _key_similarity(wanted: str, held: str) -> float:
    if wanted == held:
        return 1.0
    similarity = jellyfish.jaro_winkler_similarity(wanted, held)
    if phonetic_codes(wanted) & phonetic_codes(held):
        similarity = max(similarity, SOUNDS_ALIKE)
    return similarity if similarity >= NAME_FLOOR else 0.0


@lru_cache(maxsize=262144)
def _name_similarity(wanted: str, held: str) -> float:
    whole = _key_similarity(name_key(wanted), name_key(held))
    if whole == 1.0:
        return whole
    parts = max((_key_similarity(w, h) for w in name_forms(wanted) for h in name_forms(held)), default=0.0)
    return max(whole, parts * PART_OF_NAME)


def name_similarity(wanted: str, held: Iterable[str]) -> float:
    """How well ``wanted`` matches the best of the ``held`` names, from 0 to 1."""
    return max((_name_similarity(wanted, name) for name in held), default=0.0)


def given_name_similarity(wanted: str, given_names: Iterable[str]) -> float:
    """How well ``wanted`` matches the child's given names, the first a little above the others: of two children of one family
    born on one day, the one whose first name was searched for is likelier the one meant than one whose middle name it is."""
    first, *others = given_names or ("",)
    return max(_name_similarity(wanted, first), OTHER_GIVEN_NAME * name_similarity(wanted, others))


def dates_meant(day: date) -> set[date]:
    """The date given, and the same with day and month swapped, a common slip."""
    meant = {day}
    if day.day <= 12:
        meant.add(date(day.year, day.day, day.month))
    return meant


class Candidate(NamedTuple):
    family_name: str
    former_family_keys: tuple[str, ...]
    given_names: tuple[str, ...]
    date_of_birth: date
    postcode: str
    identifiers: tuple[str, ...]
    # A shielded child is ranked without where they live, so that a score says nothing of whether a postcode is theirs.
    shielded: bool = False


Agreement = Callable[[Candidate], float]


def agreements(criteria: dict) -> dict[str, Agreement]:
    """For each criterion given, how well a candidate agrees with it, from 0 to 1; what the criteria mean is worked out once."""
    agree: dict[str, Agreement] = {}
    if "family_name" in criteria:
        family = criteria["family_name"]
        agree["family_name"] = lambda candidate: max(_name_similarity(family, candidate.family_name),
                                                     FORMER_NAME * name_similarity(family, candidate.former_family_keys))
    if "given_name" in criteria:
        given = criteria["given_name"]
        agree["given_name"] = lambda candidate: given_name_similarity(given, candidate.given_names)
    if "date_of_birth" in criteria:
        born, swapped = criteria["date_of_birth"], dates_meant(criteria["date_of_birth"])
        agree["date_of_birth"] = lambda candidate: 1.0 if candidate.date_of_birth == born else SWAPPED_DATE if candidate.date_of_birth in swapped else 0.0
    if "postcode" in criteria:
        postcode = criteria["postcode"]
        district = district_of(postcode)
        # A search's postcode is loaded in its normal form (``shared.contracts.directory.Postcode``).
        agree["postcode"] = lambda candidate: 1.0 if candidate.postcode == postcode else SAME_DISTRICT if postcode_district(candidate.postcode) == district else 0.0
    if "identifier" in criteria:
        identifier = normal_identifier(criteria["identifier"])
        agree["identifier"] = lambda candidate: 1.0 if identifier in candidate.identifiers else 0.0
    return agree


def similarities(candidate: Candidate, criteria: dict) -> dict[str, float]:
    """How well the candidate agrees with each criterion given, from 0 to 1."""
    return {name: agreement(candidate) for name, agreement in agreements(criteria).items()}


def scorer(criteria: dict) -> Callable[[Candidate], float]:
    """``score`` against these criteria, for the hundreds of candidates of one search; a shielded candidate's without the postcode."""
    agree = agreements(criteria)
    weighed = [(WEIGHTS[name], agreement) for name, agreement in agree.items()]
    placeless = [(WEIGHTS[name], agreement) for name, agreement in agree.items() if name not in PLACE_CRITERIA]
    total, placeless_total = sum(weight for weight, _ in weighed), sum(weight for weight, _ in placeless)

    def score_of(candidate: Candidate) -> float:
        used, of = (placeless, placeless_total) if candidate.shielded else (weighed, total)
        return round(sum(weight * agreement(candidate) for weight, agreement in used) / of, 3) if used else 0.0

    return score_of


def best_score_elsewhere(criteria: dict) -> float:
    """The highest score a child not at the criteria's postcode can reach, found by no criterion but where they live: every
    other criterion agreed with, and the postcode's district at best."""
    weights = {name: WEIGHTS[name] for name in criteria if name in WEIGHTS}
    return sum(SAME_DISTRICT * weight if name in PLACE_CRITERIA else weight for name, weight in weights.items()) / sum(weights.values())


def score(candidate: Candidate, criteria: dict) -> float:
    """The weighted mean of the candidate's agreement with each criterion given."""
    return scorer(criteria)(candidate)


def normal_identifier(value: str) -> str:
    return value.replace(" ", "").upper()
