"""Reading the directory: candidates from indexed keys only, then every candidate scored and ranked before the cap.

A search never reads the whole table, nor more than ``MAX_READ`` children: an identifier reads
its index; a date of birth reads the children born that day (or on the day with day and month
swapped) whose names agree by the keys of ``matching.DatedKeys``, the namesakes first, then (given a
postcode) those at the postcode, enough when one agrees better than any child elsewhere could; two names
and a postcode read the children at that postcode and those in its district whose precomputed
phonetic keys agree. A search that would read more is asked to be refined (``SearchTooBroad``).
A shielded child is found by name and date of birth or identifier alone, shown by name, date of
birth and gender alone, and ranked without the postcode.
"""
from __future__ import annotations

from psycopg.rows import namedtuple_row
from sqlalchemy import Select, and_, bindparam, intersect, or_, select, union
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from services.directory.matching import (
    MIN_SCORE,
    Candidate,
    best_score_elsewhere,
    dated_keys_of,
    dates_meant,
    named_keys,
    normal_identifier,
    scorer,
)
from services.directory.models import Child, SearchKey
from services.directory.rules import MAX_READ, MAX_RESULTS, REFINE_NOTICE
from shared.contracts.validators import district_of, postcode_district
from shared.db import one_of
from shared.errors import InvalidRequest

CHILDREN = Child.__table__.c
KEYS = SearchKey.__table__.c
SCORED_COLUMNS = (
    CHILDREN.contactpoint_id, CHILDREN.shielded, CHILDREN.family_name, CHILDREN.given_names, CHILDREN.former_family_keys,
    CHILDREN.date_of_birth, CHILDREN.gender, CHILDREN.postcode, CHILDREN.nhs_number, CHILDREN.upn,
)


def _scored(candidates) -> Select:
    """The columns a search scores, of the active children ``candidates`` picks (plain rows, not through the ORM:
    a search may read hundreds of candidates and changes none of them)."""
    # "active", as the covering index on date of birth is partial to: "active IS true" would not use it, and read the table.
    return select(*SCORED_COLUMNS).where(CHILDREN.active, candidates)


_BORN_ON = one_of(CHILDREN.date_of_birth, parameter="dates")
_NEIGHBOURS = Child.__table__.alias("neighbours")
# A shielded child is never found by where they live: only by who they are (and has no keys of a district either).
_AT_POSTCODE = select(_NEIGHBOURS.c.contactpoint_id).where(_NEIGHBOURS.c.postcode == bindparam("postcode"), _NEIGHBOURS.c.shielded.is_(False))


def _keyed(parameter: str):
    return select(KEYS.contactpoint_id).where(one_of(KEYS.key, parameter=parameter))


def _keyed_and_shielded(parameter: str):
    shielded = Child.__table__.alias("shielded")
    return select(KEYS.contactpoint_id).join(shielded, shielded.c.contactpoint_id == KEYS.contactpoint_id).where(
        one_of(KEYS.key, parameter=parameter), shielded.c.shielded)


def _keyed_or_at_postcode(parameter: str):
    """One list of ids from both indexes: "postcode = x OR id IN (keyed)" cannot use either, and reads every child."""
    return CHILDREN.contactpoint_id.in_(union(_keyed(parameter), _AT_POSTCODE))


def _bounded(query: Select) -> Select:
    """At most one row more than a search may read: that row says the search is too broad, and nothing more is read."""
    return query.limit(MAX_READ + 1)


class _Prepared:
    """A statement compiled once to PostgreSQL's text and run straight on the driver's connection, prepared by the server
    at its first run there, its rows as named tuples: a search reads by one of a few statements of fixed shape, and running
    each through SQLAlchemy's execution (its cache key, context and result) cost more than psycopg's own work."""

    def __init__(self, statement: Select):
        self.statement = statement
        self._compiled: dict[tuple, tuple[str, dict]] = {}

    def rows(self, session: Session, values: dict) -> list:
        connection = session.connection()
        # Under the schema the engine names the service's by (tests give each a schema of its own), as SQLAlchemy would.
        translated = tuple(connection.get_execution_options().get("schema_translate_map", {}).items())
        sql, defaults = self._compiled.get(translated) or self._compiled.setdefault(translated, self._compile(dict(translated)))
        with connection.connection.driver_connection.cursor(row_factory=namedtuple_row) as cursor:
            return cursor.execute(sql, {**defaults, **values}, prepare=True).fetchall()

    def _compile(self, schemas: dict) -> tuple[str, dict]:
        compiled = self.statement.compile(dialect=postgresql.psycopg.dialect(), schema_translate_map=schemas or None,
                                          render_schema_translate=bool(schemas))
        return str(compiled), dict(compiled.params)


# Each way a search is narrowed, built once: only the values change from one search to the next.
BY_IDENTIFIER = _Prepared(_scored(or_(CHILDREN.nhs_number == bindparam("identifier"), CHILDREN.upn == bindparam("identifier"))))
# Both names by sound (and each by the other's initial): the namesakes, a few nationally.
_BOTH_NAMES = intersect(_keyed("by_family"), _keyed("by_given"))
BY_DATE_AND_BOTH_NAMES = _Prepared(_bounded(_scored(and_(_BORN_ON, CHILDREN.contactpoint_id.in_(_BOTH_NAMES)))))
BY_DATE_AND_BOTH_NAMES_OR_POSTCODE = _Prepared(_bounded(_scored(and_(_BORN_ON, CHILDREN.contactpoint_id.in_(union(_BOTH_NAMES, _AT_POSTCODE))))))
BY_DATE_AND_KEYS = _Prepared(_bounded(_scored(and_(_BORN_ON, CHILDREN.contactpoint_id.in_(_keyed("keys"))))))
BY_DATE_AND_KEYS_OR_POSTCODE = _Prepared(_bounded(_scored(and_(_BORN_ON, _keyed_or_at_postcode("keys")))))
BY_NAMES_OR_POSTCODE = _Prepared(_bounded(_scored(_keyed_or_at_postcode("keys"))))
AT_POSTCODE = _Prepared(_bounded(_scored(CHILDREN.contactpoint_id.in_(_AT_POSTCODE))))
# Those born on the dates meant at the postcode, and the shielded children of the keys: a shielded child is ranked without
# where they live, so it may rank above one at the postcode wherever it lives (and is never found by the postcode).
BY_DATE_AT_POSTCODE = _Prepared(_bounded(_scored(and_(_BORN_ON, CHILDREN.contactpoint_id.in_(union(_AT_POSTCODE, _keyed_and_shielded("keys")))))))


class SearchTooBroad(InvalidRequest, code="refine_search",
                     says=f"More than {MAX_READ} children could be the one meant: refine your search "
                          "(check the names and date of birth, or add a given name or postcode)."):
    """More children would be read than a search may read: the searcher is asked to add what they know."""


class _Reading:
    """The candidates of one search, read a query at a time and each scored; how many were read."""

    def __init__(self, session: Session, criteria: dict):
        self.session, self.score, self.read = session, scorer(criteria), 0

    def ranked(self, query: _Prepared, values: dict) -> list[tuple[float, Row]]:
        rows = query.rows(self.session, values)
        if len(rows) > MAX_READ:
            raise SearchTooBroad()
        self.read += len(rows)
        return sorted(((found_score, child) for child in rows if (found_score := self.score(_candidate(child))) >= MIN_SCORE),
                      key=lambda pair: (-pair[0], pair[1].contactpoint_id))


def search(session: Session, criteria: dict, *, counted: list[int] | None = None) -> dict:
    """``{"results": [...]}`` best first, at most ``MAX_RESULTS``; with a ``notice`` to refine when more matched.

    Refuses with ``SearchTooBroad`` rather than read more than ``MAX_READ`` children. ``counted``, if given, is told how
    many children were read and scored.
    """
    reading = _Reading(session, criteria)
    ranked = _ranked(reading, criteria)
    if counted is not None:
        counted.append(reading.read)
    answer = {"results": [_summary(child, found_score) for found_score, child in ranked[:MAX_RESULTS]]}
    if len(ranked) > MAX_RESULTS:
        answer["notice"] = REFINE_NOTICE
    return answer


def _ranked(reading: _Reading, criteria: dict) -> list[tuple[float, Row]]:
    """The candidates the criteria could mean, narrowest keys first, each read only when the narrower found no one sure."""
    if "identifier" in criteria:
        return reading.ranked(BY_IDENTIFIER, {"identifier": normal_identifier(criteria["identifier"])})
    names = [criteria.get("family_name") or ""], [criteria.get("given_name") or ""]
    postcode = {"postcode": criteria["postcode"]} if "postcode" in criteria else {}
    if "date_of_birth" not in criteria:
        # Those at the postcode first, as below; then the namesakes of the district.
        if _outranks_any_elsewhere(ranked := reading.ranked(AT_POSTCODE, postcode), criteria):
            return ranked
        district = district_of(criteria["postcode"])
        return reading.ranked(BY_NAMES_OR_POSTCODE, {"keys": sorted(named_keys(*names, district)), **postcode})
    dates = sorted(dates_meant(criteria["date_of_birth"]))
    keys = dated_keys_of(*names, dates)
    by_keys = BY_DATE_AND_KEYS_OR_POSTCODE if postcode else BY_DATE_AND_KEYS
    if "family_name" in criteria and "given_name" in criteria:
        # Namesakes first: one who agrees with every criterion given cannot be outranked by a child whose name does not
        # even sound alike, and every child who agrees so is among them.
        both = BY_DATE_AND_BOTH_NAMES_OR_POSTCODE if postcode else BY_DATE_AND_BOTH_NAMES
        ranked = reading.ranked(both, {"dates": dates, "by_family": sorted(keys.by_family), "by_given": sorted(keys.by_given), **postcode})
        if ranked and ranked[0][0] == 1.0:
            return ranked
    named = {"dates": dates, "keys": sorted(keys.by_family | keys.by_given), **postcode}
    if postcode:
        # Those at the postcode next: one of them who agrees better than any child elsewhere could is first, read what may.
        if _outranks_any_elsewhere(ranked := reading.ranked(BY_DATE_AT_POSTCODE, named), criteria):
            return ranked
    ranked = reading.ranked(by_keys, named)
    if not ranked:
        # Names mistyped past their sound: the children born on the dates meant with the same initials, as a last resort.
        ranked = reading.ranked(by_keys, {"dates": dates, "keys": sorted(keys.by_initials), **postcode})
    return ranked


def _outranks_any_elsewhere(ranked: list[tuple[float, Row]], criteria: dict) -> bool:
    """Whether the first of those read at the postcode agrees better than any child elsewhere could: the rest need not be read."""
    return bool(ranked) and ranked[0][0] > best_score_elsewhere(criteria)


def _candidate(child: Row) -> Candidate:
    return Candidate(
        family_name=child.family_name, former_family_keys=tuple(child.former_family_keys), given_names=tuple(child.given_names),
        date_of_birth=child.date_of_birth, postcode=child.postcode,
        identifiers=tuple(identifier for identifier in (child.nhs_number, child.upn) if identifier), shielded=bool(child.shielded),
    )


def _summary(child: Row, found_score: float) -> dict:
    return {
        "contactpoint_id": child.contactpoint_id,
        "family_name": child.family_name,
        "given_names": child.given_names,
        "date_of_birth": child.date_of_birth.isoformat(),
        "gender": child.gender,
        "postcode_district": None if child.shielded else postcode_district(child.postcode),
        "score": found_score,
    }


_HELD = _Prepared(select(CHILDREN.contactpoint_id, CHILDREN.la_code, CHILDREN.active, CHILDREN.shielded, CHILDREN.record).where(
    CHILDREN.contactpoint_id == bindparam("contactpoint_id")))


def held(session: Session, contactpoint_id: str) -> Row | None:
    """The child's record and what rules its reading, as a plain row: a read changes nothing, and the ORM's identity map and
    instrumented attributes cost more than half of the read's CPU."""
    return next(iter(_HELD.rows(session, {"contactpoint_id": contactpoint_id})), None)
