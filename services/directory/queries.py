"""Reading the directory: finding children from identifying details, and ranking what is found."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.directory.models import Child
from services.directory.rules import MAX_RESULTS
from shared.contracts.validators import normal_postcode, postcode_district
from shared.names import name_key


def search(session: Session, criteria: dict) -> list[dict]:
    query = select(Child).where(Child.active.is_(True))
    if "identifier" in criteria:
        identifier = criteria["identifier"].replace(" ", "").upper()
        query = query.where(or_(Child.nhs_number == identifier, Child.upn == identifier))
    if "family_name" in criteria:
        query = query.where(Child.family_key == name_key(criteria["family_name"]))
    if "date_of_birth" in criteria:
        query = query.where(Child.date_of_birth.in_(_dates_meant(criteria["date_of_birth"])))
    if "postcode" in criteria:
        query = query.where(Child.postcode == normal_postcode(criteria["postcode"]))
    found = [(_score(child, criteria), child) for child in session.scalars(query.limit(MAX_RESULTS * 5))]
    found = [(score, child) for score, child in found if score > 0]
    found.sort(key=lambda pair: (-pair[0], pair[1].contactpoint_id))
    return [_summary(child, score) for score, child in found[:MAX_RESULTS]]


def _dates_meant(day: date) -> set[date]:
    """The date given, and the same with day and month swapped, a common slip."""
    meant = {day}
    if day.day <= 12:
        meant.add(date(day.year, day.day, day.month))
    return meant


def _score(child: Child, criteria: dict) -> float:
    checks = []
    if "given_name" in criteria:
        wanted = name_key(criteria["given_name"])
        checks.append(any(name_key(name) == wanted for name in child.given_names))
    if "date_of_birth" in criteria:
        checks.append(child.date_of_birth == criteria["date_of_birth"])
    if not checks:
        return 1.0
    exact = sum(checks) / len(checks)
    # A given name that differs still leaves a candidate worth showing, ranked lower.
    return round(0.5 + exact / 2, 3)


def _summary(child: Child, score: float) -> dict:
    return {
        "contactpoint_id": child.contactpoint_id,
        "family_name": child.family_name,
        "given_names": child.given_names,
        "date_of_birth": child.date_of_birth.isoformat(),
        "gender": child.gender,
        "postcode_district": None if child.shielded else postcode_district(child.postcode),
        "score": score,
    }


def held(session: Session, contactpoint_id: str) -> Child | None:
    return session.get(Child, contactpoint_id)
