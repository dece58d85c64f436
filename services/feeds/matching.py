"""Which child a source record is about.

A verified identifier (NHS number, Unique Pupil Number) links at once. Otherwise the record
is compared with the records already held that share a blocking key with it (never the whole
population), and each comparison is scored in the Fellegi–Sunter way that Splink uses: every
field agrees at some level, each level has an ``m`` (how often a true match agrees so) and a
``u`` (how often two different children do), and the match weight is the sum of
``log2(m / u)``. The m/u values below are set by hand for English children's records (u from
how common a name, a birthday or a postcode is; m from how often data entry slips), not
estimated from the data.

Two thresholds decide: at or above ``LINK_AT`` the record joins the child; below
``REVIEW_FROM`` it is a new child; between, it is held as a new child and a person decides.
Two children whose verified identifiers differ are never joined, nor twins: the same family,
birth date and home, with given names that are not one name written two ways.
"""
from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import date

from jellyfish import jaro_winkler_similarity, metaphone
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.feeds.models import SourceRecord
from services.feeds.nicknames import DIMINUTIVES
from shared.contracts.validators import normal_postcode, postcode_district
from shared.db import one_of
from shared.names import name_key

VERIFIED_IDENTIFIERS = ("nhs_number", "upn")
LINK_AT = 24.0
REVIEW_FROM = 12.0
SIMILAR_NAMES = 0.9


@dataclass(frozen=True)
class Level:
    name: str
    m: float
    u: float

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


FAMILY_NAME = {
    "exact": Level("exact", 0.85, 0.004),
    "similar": Level("similar", 0.06, 0.0015),
    "former": Level("former", 0.05, 0.0005),
    "different": Level("different", 0.04, 0.99),
}
GIVEN_NAME = {
    "exact": Level("exact", 0.86, 0.01),
    "similar": Level("similar", 0.07, 0.004),
    "other": Level("other", 0.05, 0.005),
    "different": Level("different", 0.02, 0.98),
}
DATE_OF_BIRTH = {
    "exact": Level("exact", 0.95, 0.00016),
    "transposed": Level("transposed", 0.04, 0.0003),
    "different": Level("different", 0.01, 0.999),
}
GENDER = {
    "same": Level("same", 0.99, 0.5),
    "different": Level("different", 0.01, 0.5),
}
POSTCODE = {
    "exact": Level("exact", 0.92, 0.0002),
    "district": Level("district", 0.03, 0.01),
    "different": Level("different", 0.05, 0.99),
}


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

    @classmethod
    def of(cls, child: dict) -> Described:
        born = child["date_of_birth"]
        return cls(
            family=name_key(child["family_name"]),
            formers=frozenset(name_key(name) for name in child.get("former_family_names") or ()),
            given=tuple(key for key in (name_key(name) for name in child["given_names"]) if key),
            born=born if isinstance(born, date) else date.fromisoformat(born),
            gender=child["gender"],
            postcode=normal_postcode(child["address"]["postcode"]),
            identifiers={name: value for name, value in (child.get("identifiers") or {}).items() if name in VERIFIED_IDENTIFIERS and value},
        )

    @property
    def first_given(self) -> str:
        return self.given[0] if self.given else ""


@dataclass(frozen=True)
class Match:
    """The best held child for a record, and how sure: ``link``, ``review`` or ``new``."""

    contactpoint_id: str | None
    decision: str
    weight: float | None = None


def new_contactpoint_id() -> str:
    digits = uuid.uuid4().hex[:20].upper()
    return "CP-" + "-".join(digits[i:i + 5] for i in range(0, 20, 5))


def levels(record: Described, held: Described) -> dict[str, Level]:
    """How each field of two descriptions agrees."""
    return {
        "family_name": _family_level(record, held),
        "given_name": _given_level(record, held),
        "date_of_birth": _birth_level(record.born, held.born),
        "gender": GENDER["same" if record.gender == held.gender else "different"],
        "postcode": POSTCODE[
            "exact" if record.postcode == held.postcode
            else "district" if postcode_district(record.postcode) == postcode_district(held.postcode)
            else "different"
        ],
    }


def match_weight(record: Described, held: Described) -> float:
    return sum(level.weight for level in levels(record, held).values())


def are_twins(record: Described, held: Described) -> bool:
    """Born the same day into one family or one home, with given names that share nothing, not even one name written two ways.

    Twins agree on nearly everything a weight counts, so no weight keeps them apart: this rule does.
    A family name slip (``Smtih``) must not make twins look like one child, so a similar family name counts as the same.
    """
    same_family = record.family == held.family or jaro_winkler_similarity(record.family, held.family) >= SIMILAR_NAMES
    return (
        record.born == held.born and (same_family or record.postcode == held.postcode)
        and not _same_given_name(record.first_given, held.first_given)
        and not (set(record.given) & set(held.given))
    )


def conflicting_identifiers(record: Described, held: Described) -> bool:
    return any(record.identifiers.get(name) not in (None, value) for name, value in held.identifiers.items())


def find_child(session: Session, record: Described, nearby: Nearby | None = None) -> Match:
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
        weight = max(match_weight(record, h) for h in held)
        if best.weight is None or weight > best.weight:
            best = Match(cp_id, _decision(weight), weight)
    return best if best.decision != "new" else Match(None, "new", best.weight)


def blocking_keys(record: Described) -> dict:
    """The columns a held record is found by."""
    return {"family_key": record.family, "given_key": record.first_given, "date_of_birth": record.born, "postcode": record.postcode,
            "nhs_number": record.identifiers.get("nhs_number"), "upn": record.identifiers.get("upn")}


def _decision(weight: float) -> str:
    return "link" if weight >= LINK_AT else "review" if weight >= REVIEW_FROM else "new"


# The columns of each kind of blocking key, in the order a key gives their values.
KEY_COLUMNS = {
    "family_born": (SourceRecord.family_key, SourceRecord.date_of_birth), "given_born": (SourceRecord.given_key, SourceRecord.date_of_birth),
    "postcode_born": (SourceRecord.postcode, SourceRecord.date_of_birth), "postcode_given": (SourceRecord.postcode, SourceRecord.given_key),
    "postcode_family": (SourceRecord.postcode, SourceRecord.family_key), "family_given": (SourceRecord.family_key, SourceRecord.given_key),
    "nhs_number": (SourceRecord.nhs_number,), "upn": (SourceRecord.upn,),
}


class Nearby:
    """Held records that share a blocking key with any of a batch's records: read in one query, then looked up per record.

    Any two fields agreeing exactly bring a held record to be compared: one slip in one field
    never hides a match. Records the batch itself holds are added as it goes (``hold``), so a
    record is compared with those that came before it in the same batch, written or not.
    """

    def __init__(self, records: list[SourceRecord]):
        self._by_key: dict[tuple, list[SourceRecord]] = {}
        for held in records:
            self.hold(held)

    @classmethod
    def read(cls, session: Session, records: list[Described]) -> Nearby:
        sought = {key for record in records for key in _keys_sought(record)}
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
        found = {id(held): held for key in _keys_sought(record) for held in self._by_key.get(key, ())}
        return [held for held in found.values() if _shares_a_key(record, held)]


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


def _keys_sought(record: Described) -> list[tuple]:
    family, given, born, postcode = record.family, record.first_given, record.born, record.postcode
    return [
        ("family_born", family, born), ("given_born", given, born), ("postcode_born", postcode, born), ("postcode_given", postcode, given),
        ("postcode_family", postcode, family), ("family_given", family, given),
        *(("family_born", former, born) for former in sorted(record.formers)),
        *((name, record.identifiers[name]) for name in VERIFIED_IDENTIFIERS if record.identifiers.get(name)),
    ]


def _keys_held(held: SourceRecord) -> list[tuple]:
    family, given, born, postcode = held.family_key, held.given_key, held.date_of_birth, held.postcode
    return [
        ("family_born", family, born), ("given_born", given, born), ("postcode_born", postcode, born), ("postcode_given", postcode, given),
        ("postcode_family", postcode, family), ("family_given", family, given),
        *((name, value) for name, value in (("nhs_number", held.nhs_number), ("upn", held.upn)) if value),
    ]


def _shares_a_key(record: Described, held: SourceRecord) -> bool:
    family, given, born, postcode = held.family_key == record.family, held.given_key == record.first_given, held.date_of_birth == record.born, held.postcode == record.postcode
    return (
        (family and born) or (given and born) or (postcode and born) or (postcode and given) or (postcode and family) or (family and given)
        or (held.family_key in record.formers and born)
        or any(held_value is not None and held_value == record.identifiers.get(name) for name, held_value in (("nhs_number", held.nhs_number), ("upn", held.upn)))
    )


def _shares_identifier(record: Described, held: Described) -> bool:
    return any(held.identifiers.get(name) == value for name, value in record.identifiers.items())


def _family_level(record: Described, held: Described) -> Level:
    if record.family == held.family:
        return FAMILY_NAME["exact"]
    if record.family in held.formers or held.family in record.formers:
        return FAMILY_NAME["former"]
    if jaro_winkler_similarity(record.family, held.family) >= SIMILAR_NAMES:
        return FAMILY_NAME["similar"]
    return FAMILY_NAME["different"]


def _given_level(record: Described, held: Described) -> Level:
    if record.first_given == held.first_given:
        return GIVEN_NAME["exact"]
    if _same_given_name(record.first_given, held.first_given):
        return GIVEN_NAME["similar"]
    if set(record.given) & set(held.given):
        return GIVEN_NAME["other"]
    return GIVEN_NAME["different"]


def _same_given_name(one: str, other: str) -> bool:
    """``Katie`` and ``Kate``, ``Chloe`` and ``Khloe``, ``Billy`` and ``William``: one name written two ways, not two names."""
    if not one or not other:
        return False
    shorter, longer = sorted((one, other), key=len)
    return (
        longer.startswith(shorter) or (len(shorter) >= 3 and longer.endswith(shorter))
        or jaro_winkler_similarity(one, other) >= SIMILAR_NAMES or metaphone(one) == metaphone(other)
        or other in DIMINUTIVES.get(one, ()) or one in DIMINUTIVES.get(other, ())
    )


def _birth_level(record: date, held: date) -> Level:
    if record == held:
        return DATE_OF_BIRTH["exact"]
    if record.year == held.year and (record.month, record.day) == (held.day, held.month):
        return DATE_OF_BIRTH["transposed"]
    return DATE_OF_BIRTH["different"]
