"""Reading the directory: candidates from indexed keys only, then every candidate scored and ranked before the cap.

A search never reads the whole table: an identifier reads its index; a date of birth reads
the children born that day (or on the day with day and month swapped); two names and a
postcode read the children at that postcode and those whose precomputed phonetic keys agree.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select
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
SCORED_COLUMNS = (
    CHILDREN.contactpoint_id, CHILDREN.shielded, CHILDREN.family_name, CHILDREN.given_names, CHILDREN.former_family_keys,
    CHILDREN.date_of_birth, CHILDREN.gender, CHILDREN.postcode, CHILDREN.nhs_number, CHILDREN.upn,
)


def search(session: Session, criteria: dict) -> dict:
    """``{"results": [...]}`` best first, at most ``MAX_RESULTS``; with a ``notice`` to refine when more matched."""
    score = scorer(criteria)
    ranked = _ranked(session, _candidates(criteria), score)
    if not ranked and "date_of_birth" in criteria:
        # Names mistyped past their sound: every child born on the dates meant, as a last resort.
        ranked = _ranked(session, _born_on(criteria), score)
    answer = {"results": [_summary(child, found_score) for found_score, child in ranked[:MAX_RESULTS]]}
    if len(ranked) > MAX_RESULTS:
        answer["notice"] = REFINE_NOTICE
    return answer


def _ranked(session: Session, candidates, score) -> list[tuple[float, Row]]:
    # Plain rows from the table, not through the ORM: a search may read hundreds of candidates and changes none of them.
    query = select(*SCORED_COLUMNS).where(CHILDREN.active.is_(True), candidates)
    return sorted(
        ((found_score, child) for child in session.connection().execute(query) if (found_score := score(_candidate(child))) >= MIN_SCORE),
        key=lambda pair: (-pair[0], pair[1].contactpoint_id),
    )


def _candidates(criteria: dict):
    """The indexed condition that narrows the search to the children the criteria could mean."""
    if "identifier" in criteria:
        identifier = normal_identifier(criteria["identifier"])
        return or_(CHILDREN.nhs_number == identifier, CHILDREN.upn == identifier)
    names = [criteria.get("family_name") or ""], [criteria.get("given_name") or ""]
    if "date_of_birth" in criteria:
        dates = dates_meant(criteria["date_of_birth"])
        near = _keyed(dated_keys(*names, dates))
        if "postcode" in criteria:
            near = or_(near, CHILDREN.postcode == normal_postcode(criteria["postcode"]))
        return and_(_born_on(criteria), near)
    return or_(CHILDREN.postcode == normal_postcode(criteria["postcode"]), _keyed(named_keys(*names)))


def _born_on(criteria: dict):
    return one_of(CHILDREN.date_of_birth, sorted(dates_meant(criteria["date_of_birth"])))


def _keyed(keys: set[str]):
    keyed = SearchKey.__table__.c
    return CHILDREN.contactpoint_id.in_(select(keyed.contactpoint_id).where(one_of(keyed.key, sorted(keys))))


def _candidate(child: Row) -> Candidate:
    return Candidate(
        family_name=child.family_name, former_family_keys=tuple(child.former_family_keys), given_names=tuple(child.given_names),
        date_of_birth=child.date_of_birth, postcode=child.postcode,
        identifiers=tuple(identifier for identifier in (child.nhs_number, child.upn) if identifier),
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
