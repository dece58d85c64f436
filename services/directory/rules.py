"""The directory's rules, as data: what makes a search specific enough, and what a reader may see.

A search must name one child, not trawl: each row of ``SUFFICIENT_CRITERIA`` is a set of
criteria that together are enough. A name alone, a postcode alone, wildcards and fragments of
names are never enough.
"""
from __future__ import annotations

import re

from shared.errors import InvalidRequest

PURPOSES = ("safeguarding", "wellbeing")
SUFFICIENT_CRITERIA = (
    frozenset({"identifier"}),
    frozenset({"family_name", "date_of_birth"}),
    frozenset({"given_name", "date_of_birth", "postcode"}),
    frozenset({"family_name", "given_name", "postcode"}),
)
MIN_NAME_LENGTH = 2
WILDCARDS = re.compile(r"[*%_?]")
MAX_RESULTS = 20
SHIELDED_NOTICE = "This record is shielded. For contact details, speak to the LA ContactPoint team."


def require_purpose(purpose: str | None) -> str:
    if purpose not in PURPOSES:
        raise InvalidRequest(
            f"purpose must be one of {', '.join(PURPOSES)}: ContactPoint is not used for enforcement",
            code="purpose_not_allowed",
        )
    return purpose


def require_identifying(criteria: dict) -> dict:
    """Returns the criteria that were given, or refuses them as too weak to find one child."""
    given = {name: value for name, value in criteria.items() if value not in (None, "")}
    for name in ("family_name", "given_name"):
        value = given.get(name)
        if value is not None and (WILDCARDS.search(value) or len(value.strip()) < MIN_NAME_LENGTH):
            raise InvalidRequest(
                f"{name} must be a whole name of at least {MIN_NAME_LENGTH} letters, without wildcards",
                code="criteria_too_weak",
            )
    if not any(rule <= given.keys() for rule in SUFFICIENT_CRITERIA):
        raise InvalidRequest(
            "these details are not enough to identify one child: give an NHS number or UPN, "
            "or a family name with a date of birth, or a name with a postcode",
            code="criteria_too_weak",
        )
    return given


def withhold(record: dict, *, shielded: bool, sees_sensitive: bool) -> dict:
    """The record as this reader may see it."""
    involvements = [i for i in record["involvements"] if sees_sensitive or not i.get("sensitive")]
    if shielded:
        return {
            **record,
            "demographics": {**record["demographics"], "address": None},
            "carers": [{**carer, "phone": None} for carer in record["carers"]],
            "involvements": [{**i, "practitioner": {"name": i["practitioner"]["name"], "phone": None, "email": None}} for i in involvements],
            "shielded": True,
            "notice": SHIELDED_NOTICE,
        }
    return {**record, "involvements": involvements, "shielded": False}
