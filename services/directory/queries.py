"""Reading the directory: candidates from indexed keys only, then every candidate scored and ranked before the cap.

A search never reads the whole table: an identifier reads its index; a date of birth reads
the children born that day (or on the day with day and month swapped); two names and a
postcode read the children at that postcode and those in its district whose precomputed phonetic keys agree.
A shielded child is found by name and date of birth or identifier alone, shown by name, date of
birth and gender alone, and ranked without the postcode.
"""
from __future__ import annotations

from sqlalchemy import Select, and_, bindparam, or_, select, union
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from services.directory.matching import (
    MIN_SCORE,
    Candidate,
    dated_keys,
    dates_meant,
    named_keys,
    normal_identifier,
    scorer,
)
from services.directory.models import Child, SearchKey
from services.directory.rules import MAX_RESULTS, REFINE_NOTICE
from shared.contracts.validators import normal_postcode, postcode_district
from shared.db import one_of

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
_KEYED = select(KEYS.contactpoint_id).where(one_of(KEYS.key, parameter="keys"))
_NEIGHBOURS = Child.__table__.alias("neighbours")
# A shielded child is never found by where they live: only by who they are (and has no keys of a district either).
_AT_POSTCODE = select(_NEIGHBOURS.c.contactpoint_id).where(_NEIGHBOURS.c.postcode == bindparam("postcode"), _NEIGHBOURS.c.shielded.is_(False))
# One list of ids from both indexes: "postcode = x OR id IN (keyed)" cannot use either, and reads every child.
_KEYED_OR_AT_POSTCODE = CHILDREN.contactpoint_id.in_(union(_KEYED, _AT_POSTCODE))

# Each way a search is narrowed, built once: only the values change from one search to the next.
BY_IDENTIFIER = _scored(or_(CHILDREN.nhs_number == bindparam("identifier"), CHILDREN.upn == bindparam("identifier")))
BY_DATE_AND_NAMES = _scored(and_(_BORN_ON, CHILDREN.contactpoint_id.in_(_KEYED)))
BY_DATE_AND_NAMES_OR_POSTCODE = _scored(and_(_BORN_ON, _KEYED_OR_AT_POSTCODE))
BY_NAMES_OR_POSTCODE = _scored(_KEYED_OR_AT_POSTCODE)
BY_DATE = _scored(_BORN_ON)


def search(session: Session, criteria: dict) -> dict:
    """``{"results": [...]}`` best first, at most ``MAX_RESULTS``; with a ``notice`` to refine when more matched."""
    score = scorer(criteria)
    ranked = _ranked(session, *_candidates(criteria), score)
    if not ranked and "date_of_birth" in criteria:
        # Names mistyped past their sound: every child born on the dates meant, as a last resort.
        ranked = _ranked(session, BY_DATE, {"dates": _dates(criteria)}, score)
    answer = {"results": [_summary(child, found_score) for found_score, child in ranked[:MAX_RESULTS]]}
    if len(ranked) > MAX_RESULTS:
        answer["notice"] = REFINE_NOTICE
    return answer


def _ranked(session: Session, query: Select, values: dict, score) -> list[tuple[float, Row]]:
    return sorted(
        ((found_score, child) for child in session.connection().execute(query, values) if (found_score := score(_candidate(child))) >= MIN_SCORE),
        key=lambda pair: (-pair[0], pair[1].contactpoint_id),
    )


def _candidates(criteria: dict) -> tuple[Select, dict]:
    """The indexed query that narrows the search to the children the criteria could mean, and its values."""
    if "identifier" in criteria:
        return BY_IDENTIFIER, {"identifier": normal_identifier(criteria["identifier"])}
    names = [criteria.get("family_name") or ""], [criteria.get("given_name") or ""]
    postcode = {"postcode": normal_postcode(criteria["postcode"])} if "postcode" in criteria else {}
    if "date_of_birth" in criteria:
        dates = _dates(criteria)
        by_date = {"dates": dates, "keys": sorted(dated_keys(*names, dates))}
        return (BY_DATE_AND_NAMES_OR_POSTCODE, {**by_date, **postcode}) if postcode else (BY_DATE_AND_NAMES, by_date)
    return BY_NAMES_OR_POSTCODE, {"keys": sorted(named_keys(*names, postcode_district(criteria["postcode"]))), **postcode}


def _dates(criteria: dict) -> list:
    return sorted(dates_meant(criteria["date_of_birth"]))


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


def held(session: Session, contactpoint_id: str) -> Child | None:
    return session.get(Child, contactpoint_id)
