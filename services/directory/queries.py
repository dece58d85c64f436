"""Reading the directory: candidates from indexed keys only, then every candidate scored and ranked before the cap.

A search never reads the whole table: an identifier reads its index; a date of birth reads
the children born that day (or on the day with day and month swapped); two names and a
postcode read the children at that postcode and those whose precomputed phonetic keys agree.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from services.directory.matching import (
    MIN_SCORE,
    Candidate,
    dates_meant,
    normal_identifier,
    scorer,
    search_keys,
)
from services.directory.models import Child, SearchKey
from services.directory.rules import MAX_RESULTS, REFINE_NOTICE
from shared.contracts.validators import normal_postcode, postcode_district

SCORED_COLUMNS = (
    Child.contactpoint_id, Child.shielded, Child.family_name, Child.given_names, Child.former_family_keys,
    Child.date_of_birth, Child.gender, Child.postcode, Child.nhs_number, Child.upn,
)


def search(session: Session, criteria: dict) -> dict:
    """``{"results": [...]}`` best first, at most ``MAX_RESULTS``; with a ``notice`` to refine when more matched."""
    # Plain rows, not ORM objects: a search reads hundreds of candidates and changes none of them.
    query = select(*SCORED_COLUMNS).where(Child.active.is_(True), _candidates(criteria))
    score = scorer(criteria)
    ranked = sorted(
        ((found_score, child) for child in session.execute(query) if (found_score := score(_candidate(child))) >= MIN_SCORE),
        key=lambda pair: (-pair[0], pair[1].contactpoint_id),
    )
    answer = {"results": [_summary(child, found_score) for found_score, child in ranked[:MAX_RESULTS]]}
    if len(ranked) > MAX_RESULTS:
        answer["notice"] = REFINE_NOTICE
    return answer


def _candidates(criteria: dict):
    """The indexed condition that narrows the search to the children the criteria could mean."""
    if "identifier" in criteria:
        identifier = normal_identifier(criteria["identifier"])
        return or_(Child.nhs_number == identifier, Child.upn == identifier)
    if "date_of_birth" in criteria:
        return Child.date_of_birth.in_(sorted(dates_meant(criteria["date_of_birth"])))
    keys = search_keys([criteria["family_name"]], [criteria["given_name"]])
    by_keys = select(SearchKey.contactpoint_id).where(SearchKey.key.in_(sorted(keys)))
    return or_(Child.postcode == normal_postcode(criteria["postcode"]), Child.contactpoint_id.in_(by_keys))


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
