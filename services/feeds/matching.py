"""Which child a source record is about.

A verified identifier (NHS number, Unique Pupil Number) links at once. Otherwise the record
is compared with the records already held that share a blocking key with it (never the whole
population), and each comparison is scored in the Fellegi–Sunter way that Splink uses: every
field agrees at some level, and the match weight is the sum of the levels' weights in the
linkage model in force (`services.feeds.linkage_model`): hand-set for an empty directory, or
trained on the records held, with exact agreements on names and postcodes weighed by how
common the value is.

Two thresholds decide: at or above ``link_at`` the record joins the child; below
``review_from`` it is a new child; between, it is held as a new child and a person decides.
Two children whose verified identifiers differ are never joined, nor twins: born the same day
into one family or one home, with given names that are two people's names, not one name
written two ways, a middle name, or given and family names swapped.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from jellyfish import damerau_levenshtein_distance, jaro_winkler_similarity, metaphone, soundex
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.feeds.linkage_model import DEFAULT, LinkageModel
from services.feeds.models import SourceRecord
from services.feeds.nicknames import DIMINUTIVES
from shared.contracts.validators import normal_postcode, postcode_district
from shared.db import one_of
from shared.names import name_key, name_parts

VERIFIED_IDENTIFIERS = ("nhs_number", "upn")
SIMILAR_NAMES = 0.9
SOUNDING_ALIKE = 0.75


@dataclass(frozen=True)
class Described:
    """A child as one record describes them, in the forms compared."""

    family: str
    formers: frozenset[str]
    given: tuple[str, ...]
    born: date
    gender: str
    postcode: str
    identifiers: dict
    # The parts of a hyphenated or double-barrelled family name, each a key; one part when it has one.
    family_parts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, child: dict) -> Described:
        born = child["date_of_birth"]
        return cls(
            family=name_key(child["family_name"]),
            formers=frozenset(name_key(name) for name in child.get("former_family_names") or ()),
            given=tuple(key for key in (name_key(name) for name in child["given_names"]) if key),
            born=born if isinstance(born, date) else date.fromisoformat(born),
            gender=child["gender"],
            postcode=normal_postcode(child["address"].get("postcode") or ""),
            identifiers={name: value for name, value in (child.get("identifiers") or {}).items() if name in VERIFIED_IDENTIFIERS and value},
            family_parts=frozenset(name_parts(child["family_name"])),
        )

    @property
    def first_given(self) -> str:
        return self.given[0] if self.given else ""

    @cached_property
    def blocking_columns(self) -> dict:
        """The columns the record is held by and found by (worked out once: reading those nearby and holding it both ask)."""
        return _blocking_columns(self.family, self.first_given, self.born, self) | {
            "nhs_number": self.identifiers.get("nhs_number"), "upn": self.identifiers.get("upn")}

    @cached_property
    def keys_sought(self) -> frozenset[tuple]:
        """The blocking keys that bring a held record to be compared with this one (worked out once: a batch asks three times)."""
        return _every_key_sought(self)

    def names_swapped(self) -> Described:
        """The same child with given and family names the other way round, as a slip of data entry writes them."""
        return replace(self, family=self.first_given, given=(self.family, *self.given[1:]), family_parts=frozenset({self.first_given}))

    def day_and_month_swapped(self) -> Described | None:
        if self.born.day > 12 or self.born.day == self.born.month:
            return None
        return replace(self, born=self.born.replace(month=self.born.day, day=self.born.month))


@dataclass(frozen=True)
class Match:
    """The best held child for a record, and how sure: ``link``, ``review`` or ``new``."""

    contactpoint_id: str | None
    decision: str
    weight: float | None = None


def new_contactpoint_id() -> str:
    digits = uuid.uuid4().hex[:20].upper()
    return "CP-" + "-".join(digits[i:i + 5] for i in range(0, 20, 5))


def levels(record: Described, held: Described, names_swapped: bool = False) -> dict[str, tuple[str, str | None]]:
    """How each field of two descriptions agrees: the level, and the value agreed on where its frequency matters.

    ``names_swapped`` says that one of the two was read with given and family names swapped back (see `match_weight`).
    """
    return {
        "family_name": _family_level(record, held),
        "given_name": _given_level(record, held),
        "middle_names": (_middle_names_level(record, held), None),
        "names_swapped": ("yes" if names_swapped else "no", None),
        "date_of_birth": (_birth_level(record.born, held.born), None),
        "gender": ("same" if record.gender == held.gender else "unknown" if "unknown" in (record.gender, held.gender) else "different", None),
        "postcode": _postcode_level(record.postcode, held.postcode),
    }


def _postcode_level(one: str, other: str) -> tuple[str, str | None]:
    """An unknown postcode is no evidence either way: a child whose postcode one source does not hold is not said to have moved."""
    return (
        ("unknown", None) if not one or not other
        else ("exact", one) if one == other
        else ("district", None) if postcode_district(one) == postcode_district(other)
        else ("different", None)
    )


def term_values(records: list[Described]) -> dict[str, list[str]]:
    """The values of each comparison weighed by how common the value is, one for each record, as `LinkageModel` counts them."""
    return {"family_name": [record.family for record in records], "given_name": [record.first_given for record in records],
            "postcode": [record.postcode for record in records]}


def match_weight(record: Described, held: Described, model: LinkageModel = DEFAULT) -> float:
    """The sum of the levels' weights.

    Where given and family names cross (one's given name is the other's family name), either of the two may be the one
    written the other way round, and either may have changed since (a middle name used, a new family name): the names are
    compared as they stand and with each one's swapped back, and the best reading counts.
    """
    readings = [(record, held, False)]
    if _names_crossed(record, held):
        readings += [(record.names_swapped(), held, True), (record, held.names_swapped(), True)]
    return max(sum(model.weight(comparison, level, value) for comparison, (level, value) in levels(one, other, swapped).items())
               for one, other, swapped in readings)


def are_twins(record: Described, held: Described) -> bool:
    """Born the same day (as far as a slip of the keys tells) into one family or one home, with given names that are two
    people's names.

    Twins agree on nearly everything a weight counts, so no weight keeps them apart: this rule does.
    A family name slip (``Smtih``) must not make twins look like one child, so a similar family name counts as the same.
    It does not hold for given names that are one name written two ways, a name one record gives as a middle name, given
    and family names swapped, or the same middle names after another given name: those are one child, and the rest of the
    evidence is weighed as usual. (Twins given all their middle names alike are then kept apart only by their own NHS
    numbers or pupil numbers, or by a person.)
    """
    same_family = record.family == held.family or bool(record.family_parts & held.family_parts) or _similar_family_name(record.family, held.family)
    return (
        _born_alike(record, held) and (same_family or _same_home(record, held))
        and not _same_given_name(record.first_given, held.first_given)
        and not _share_a_given_name(record, held)
        and not _same_middle_names(record, held)
        and not _names_crossed(record, held)
    )


def conflicting_identifiers(record: Described, held: Described) -> bool:
    return any(record.identifiers.get(name) not in (None, value) for name, value in held.identifiers.items())


def find_child(session: Session | None, record: Described, nearby: Nearby | None = None, model: LinkageModel = DEFAULT) -> Match:
    """The child this record is about among those held, judged against held records that share a blocking key.

    ``nearby`` is what a batch read for all its records at once; alone, a record reads its own.
    """
    candidates = (nearby or Nearby.read(session, [record])).sharing_a_key(record)
    by_child: dict[str, list[Described]] = {}
    for candidate in candidates:
        by_child.setdefault(candidate.contactpoint_id, []).append(Described.of(candidate.message["child"]))
    for cp_id, held in by_child.items():
        if any(_shares_identifier(record, h) for h in held) and not any(conflicting_identifiers(record, h) for h in held):
            return Match(cp_id, "link")
    best: Match = Match(None, "new")
    for cp_id, held in by_child.items():
        if any(conflicting_identifiers(record, h) or are_twins(record, h) for h in held):
            continue
        weight, closest = max(((match_weight(record, h, model), h) for h in held), key=lambda scored: scored[0])
        if best.weight is None or weight > best.weight:
            best = Match(cp_id, _decision(weight, model, _born_alike(record, closest) and (
                _birth_level(record.born, closest.born) != "different" or _same_home(record, closest))), weight)
    return best if best.decision != "new" else Match(None, "new", best.weight)


def blocking_keys(record: Described) -> dict:
    """The columns a held record is found by."""
    return record.blocking_columns


def name_sound(key: str) -> str:
    """How a name key sounds (Soundex): ``clarke`` and ``clrake``, ``mcdonald`` and ``macdonald`` sound alike."""
    return soundex(key) if key else ""


def _blocking_columns(family: str, given: str, born: date, record: Described) -> dict:
    return {"family_key": family, "given_key": given, "family_sound": name_sound(family), "given_sound": name_sound(given),
            "date_of_birth": born, "birth_year": born.year, "birthday": birthday(born), "postcode": record.postcode}


def birthday(born: date) -> str:
    """The month and day of a birth, whatever its year: ``03-14``."""
    return born.strftime("%m-%d")


def _decision(weight: float, model: LinkageModel, born_alike: bool) -> str:
    """A wholly different birth date is never linked without a person: feeds seldom get one wholly wrong, and a child named
    like another in the same home, born another day, is as likely a sibling as a slip. Two slips of the keys in the date link
    only in the same home: elsewhere, a namesake born near the day is likelier."""
    return "link" if weight >= model.link_at and born_alike else "review" if weight >= model.review_from else "new"


@dataclass(frozen=True)
class BlockingRule:
    """Held records whose ``columns`` equal the record's, as sent or read in each of the ``readings``."""

    columns: tuple[str, ...]
    readings: tuple[str, ...] = ("as_sent",)


# A held record is compared when any rule brings it: any two fields agreeing (a name beside the birth date where it sounds
# alike, so that a slip of the keys in it still finds the record: a slip in both names, or in one with the other changed, is
# no rare pair), or both names as spelt beside the year or the birthday of the birth date (a slip of the keys in the date
# changes one or the other, not both; both names alone would bring every namesake in the country, hundreds of the commonest
# at national size), or agreeing once the record is read with given and family names swapped, day and month swapped, or a
# former family name; an identifier alone. Each rule's columns have an index of their own (see models), and the rule's name
# is its kind of key.
BLOCKING_RULES = {
    "family_sound_born": BlockingRule(("family_sound", "date_of_birth"), ("as_sent", "names_swapped", "day_and_month_swapped", "former_family_name")),
    "given_sound_born": BlockingRule(("given_sound", "date_of_birth"), ("as_sent", "names_swapped", "day_and_month_swapped")),
    "postcode_born": BlockingRule(("postcode", "date_of_birth"), ("as_sent", "day_and_month_swapped")),
    "postcode_given": BlockingRule(("postcode", "given_key"), ("as_sent", "names_swapped")),
    "postcode_family": BlockingRule(("postcode", "family_key"), ("as_sent", "names_swapped", "former_family_name")),
    "family_given_year": BlockingRule(("family_key", "given_key", "birth_year"), ("as_sent", "names_swapped", "former_family_name")),
    "family_given_birthday": BlockingRule(("family_key", "given_key", "birthday"), ("as_sent", "names_swapped", "former_family_name")),
    "nhs_number": BlockingRule(("nhs_number",)),
    "upn": BlockingRule(("upn",)),
}
KEY_COLUMNS = {kind: tuple(getattr(SourceRecord, column) for column in rule.columns) for kind, rule in BLOCKING_RULES.items()}
# Every column a rule blocks by, as a held record keeps it.
_COLUMNS_BLOCKED_BY = frozenset(column for rule in BLOCKING_RULES.values() for column in rule.columns)


def _readings(record: Described) -> dict[str, list[dict]]:
    """The record's blocking columns as sent, and as each reading a blocking rule may ask for."""
    as_sent = blocking_keys(record)
    swapped_dates = record.day_and_month_swapped()
    return {
        "as_sent": [as_sent],
        # The names' keys and sounds trade places; nothing else of the columns depends on which name is which.
        "names_swapped": [{**as_sent, "family_key": as_sent["given_key"], "given_key": as_sent["family_key"],
                           "family_sound": as_sent["given_sound"], "given_sound": as_sent["family_sound"]}],
        "day_and_month_swapped": [{**as_sent, "date_of_birth": swapped_dates.born}] if swapped_dates else [],
        "former_family_name": [{**as_sent, **_blocking_columns(former, record.first_given, record.born, record)} for former in sorted(record.formers)],
    }


class Nearby:
    """Held records that share a blocking key with any of a batch's records: read in one query, then looked up per record.

    Records the batch itself holds are added as it goes (``hold``), so a record is compared with
    those that came before it in the same batch, written or not.
    """

    def __init__(self, records: list[SourceRecord]):
        self._by_key: dict[tuple, list[SourceRecord]] = {}
        for held in records:
            self.hold(held)

    @classmethod
    def read(cls, session: Session, records: list[Described]) -> Nearby:
        sought = {key for record in records for key in record.keys_sought}
        if not sought:
            return cls([])
        _wait_for_others_matching(session, sought)
        values_of: dict[str, set[tuple]] = {}
        for kind, *values in sought:
            values_of.setdefault(kind, set()).add(tuple(values))
        # One statement per kind of key, each over its own index: OR-ed together, the planner scans the whole table.
        # (A UNION of them is planned as one costly query, which the server may hand to parallel workers at each batch.)
        return cls([held for kind, values in values_of.items()
                    for held in session.scalars(select(SourceRecord).where(one_of(KEY_COLUMNS[kind], sorted(values))))])

    def hold(self, held: SourceRecord) -> None:
        for key in _keys_held(held):
            self._by_key.setdefault(key, []).append(held)

    def sharing_a_key(self, record: Described) -> list[SourceRecord]:
        """Each once, and only if it shares a key as it stands now: a record the batch changed is judged by its new keys."""
        sought = record.keys_sought
        found = {id(held): held for key in sought for held in self._by_key.get(key, ())}
        return [held for held in found.values() if not sought.isdisjoint(_keys_held(held))]


def shares_a_blocking_key(record: Described, held: Described) -> bool:
    """Whether any blocking rule brings ``held`` to be compared with ``record``."""
    return not record.keys_sought.isdisjoint(_keys_of(blocking_keys(held)))


# The advisory locks of matching, apart from any other use of advisory locks (the first of their two keys).
MATCHING_LOCKS = 7_200_003


def _wait_for_others_matching(session: Session, keys: set[tuple]) -> None:
    """Takes a lock on each blocking key sought, until commit, so that feeds workers never match the same new child at once.

    Two records can only be compared if they share a blocking key, and a record holds no key it
    did not seek; so a worker matching a record waits here for any other worker still placing a
    record that shares a key with it, then reads what that one committed. Without this, two
    workers each made a child of its own for the same new child. The locks are taken in one
    order, so two workers never wait for each other.
    """
    hashed = sorted({int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=4).digest(), "big", signed=True) for key in keys})
    session.execute(text(
        "SELECT pg_advisory_xact_lock(:space, key) FROM (SELECT key FROM unnest(CAST(:keys AS integer[])) AS key ORDER BY key) AS sorted"
    ), {"space": MATCHING_LOCKS, "keys": hashed})


def _every_key_sought(record: Described) -> frozenset[tuple]:
    """Every key of every rule, of the record in each reading the rule asks for; a key with an empty value finds nothing."""
    readings = _readings(record)
    return frozenset(key for kind, rule in BLOCKING_RULES.items() for reading in rule.readings for columns in readings[reading]
                     if (key := _key(kind, rule, columns)) is not None)


def _keys_held(held: SourceRecord) -> set[tuple]:
    return _keys_of({column: getattr(held, column) for column in _COLUMNS_BLOCKED_BY})


def _keys_of(columns: dict) -> set[tuple]:
    return {key for kind, rule in BLOCKING_RULES.items() if (key := _key(kind, rule, columns)) is not None}


def _key(kind: str, rule: BlockingRule, columns: dict) -> tuple | None:
    key = (kind, *map(columns.__getitem__, rule.columns))
    return None if None in key or "" in key else key


def _shares_identifier(record: Described, held: Described) -> bool:
    return any(held.identifiers.get(name) == value for name, value in record.identifiers.items())


def _same_home(record: Described, held: Described) -> bool:
    return bool(record.postcode) and record.postcode == held.postcode


def _similar(one: str, other: str) -> bool:
    return bool(one and other) and jaro_winkler_similarity(one, other) >= SIMILAR_NAMES


def _similar_family_name(one: str, other: str) -> bool:
    """Alike as written, or one slip of the keys in a longer name, wherever it is (``Bmith``, ``Smtih``): a family name is seldom
    one letter from another family's, as a given name often is."""
    return _similar(one, other) or min(len(one), len(other)) >= 5 and damerau_levenshtein_distance(one, other) == 1


def _names_crossed(record: Described, held: Described) -> bool:
    """Given and family names written the other way round on one of the two, whatever else changed since: the family name of
    one is one of the other's given names (a middle name, if the child is known by it), and its given name or a former family
    name is the other's family name, or was.

    Both names cross: twins share their family name, and one crossing alone (``Harrison Phoebe`` beside ``Harrison Emma``)
    is as often a twin written the other way round as a child whose family name changed.
    """
    return (record.family != held.family and record.first_given != held.first_given
            and (_written_the_other_way(record, held) or _written_the_other_way(held, record)))


def _written_the_other_way(one: Described, other: Described) -> bool:
    return (any(one.family == name or _same_given_name(one.family, name) for name in other.given)
            and (any(one.first_given == name or _similar(one.first_given, name) for name in (other.family, *other.formers))
                 or other.family in one.formers))


def _family_level(record: Described, held: Described) -> tuple[str, str | None]:
    if record.family == held.family:
        return "exact", record.family
    if record.family in held.formers or held.family in record.formers:
        return "former", None
    if len(record.family_parts | held.family_parts) > 1 and record.family_parts & held.family_parts:
        return "part", None
    if _similar_family_name(record.family, held.family):
        return "similar", None
    return "different", None


def _given_level(record: Described, held: Described) -> tuple[str, str | None]:
    one, other = record.first_given, held.first_given
    if one == other:
        return "exact", one
    if _known_variant(one, other):
        return "variant", None
    if _alike(one, other):
        return "similar", None
    if _share_a_given_name(record, held):
        return "other", None
    return "different", None


def _middle_names_level(record: Described, held: Described) -> str:
    if len(record.given) < 2 or len(held.given) < 2:
        return "not_both_given"
    return "same" if set(record.given[1:]) & set(held.given[1:]) else "different"


def _same_middle_names(record: Described, held: Described) -> bool:
    """Both give middle names, and the same ones: the given name was replaced (a name chosen in care, a new family's name)."""
    return len(record.given) > 1 and record.given[1:] == held.given[1:]


def _share_a_given_name(record: Described, held: Described) -> bool:
    """The given name of one is one of the other's, or that name with a slip: a middle name used as the given name.

    A middle name the two share does not make them one child: twins are often given one middle name. Nor does a short
    form of the other's middle name (Bella, Isabella): sisters are named so as often as a child is known so.
    """
    return (any(_written_alike(record.first_given, other) for other in held.given)
            or any(_written_alike(one, held.first_given) for one in record.given))


def _written_alike(one: str, other: str) -> bool:
    return bool(one and other) and (one == other or _alike(one, other))


def _same_given_name(one: str, other: str) -> bool:
    """``Katie`` and ``Kate``, ``Chloe`` and ``Khloe``, ``Billy`` and ``William``: one name written two ways, not two names; and
    a diminutive beside its full form with a slip (``Tommy``, ``Thommas``)."""
    return bool(one and other) and (one == other or _known_variant(one, other) or _alike(one, other)
                                    or any(_alike(full, other) for full in DIMINUTIVES.get(one, ()))
                                    or any(_alike(full, one) for full in DIMINUTIVES.get(other, ())))


def _known_variant(one: str, other: str) -> bool:
    """A diminutive, short form or other-language form of the other, or the other begun with it.

    A name's ending is as often another name (Ella and Isabella, Anna and Hanna) as its short form: only the table says so.
    """
    shorter, longer = sorted((one, other), key=len)
    return (
        longer.startswith(shorter)
        or other in DIMINUTIVES.get(one, ()) or one in DIMINUTIVES.get(other, ())
        or bool(set(DIMINUTIVES.get(one, ())) & set(DIMINUTIVES.get(other, ())))
    )


def _alike(one: str, other: str) -> bool:
    """Written or said alike: one slip of the keys after the initial, the first two letters swapped, or the same sounds.

    A short name one letter from another is often another name (Ella, Bella; Lily, Tilly): likeness of letters counts only
    after the same initial, where twins' rhyming names differ. No two names differ by their first two letters swapped.
    Sounds alone are too coarse for short names (Gill and Julia sound alike to metaphone): the letters must be near too.
    """
    return (
        (similarity := jaro_winkler_similarity(one, other)) >= SOUNDING_ALIKE and metaphone(one) == metaphone(other)
        or one[0] == other[0] and (similarity >= SIMILAR_NAMES or min(len(one), len(other)) >= 4 and damerau_levenshtein_distance(one, other) == 1)
        or len(one) > 2 and one[1::-1] == other[:2] and one[2:] == other[2:]
    )


def _birth_level(record: date, held: date) -> str:
    """``one_digit`` is one slip of the keys: a digit wrong, or the year one out (2019 for 2020)."""
    if record == held:
        return "exact"
    if record.year == held.year and (record.month, record.day) == (held.day, held.month):
        return "transposed"
    if _digits_apart(record, held) == 1 or (record.month, record.day) == (held.month, held.day) and abs(record.year - held.year) == 1:
        return "one_digit"
    return "different"


def _born_alike(record: Described, held: Described) -> bool:
    """Born the same day as far as two slips of the keys tell: two digits wrong, or day and month swapped and a digit wrong."""
    swapped = record.day_and_month_swapped()
    return (_birth_level(record.born, held.born) != "different" or _digits_apart(record.born, held.born) <= 2
            or swapped is not None and _digits_apart(swapped.born, held.born) <= 1)


def _digits_apart(one: date, other: date) -> int:
    return sum(mine != theirs for mine, theirs in zip(one.isoformat(), other.isoformat()))
