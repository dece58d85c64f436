"""Test data for the services' integration tests: children and feed messages no other test knows.

Names differ in their letters (names are compared by letters alone) and NHS numbers are
drawn at random with a correct check digit, so no test's child is ever linked to another's.
"""
from __future__ import annotations

import random
import string

from shared.contracts.feeds import SCHEMA_NAME
from shared.contracts.validators import nhs_number_is_valid


def a_name() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=12)).capitalize()


def an_nhs_number() -> str:
    while True:
        candidate = "".join(random.choices(string.digits, k=10))
        if nhs_number_is_valid(candidate):
            return candidate


def a_feed_message(
    *,
    source_record_id: str | None = None,
    sequence: int = 1,
    family_name: str | None = None,
    nhs_number: str | None = None,
    service: str = "school",
    **extra,
) -> dict:
    """A valid ``contactpoint.feed.v1`` upsert about a child of its own; ``extra`` adds or replaces top-level fields."""
    return {
        "schema": SCHEMA_NAME,
        "source_record_id": source_record_id or f"REC-{random.randrange(10**9):09d}",
        "sequence": sequence,
        "action": "upsert",
        "child": {
            "family_name": family_name or a_name(),
            "given_names": [a_name()],
            "former_family_names": [],
            "date_of_birth": "2014-05-06",
            "gender": "female",
            "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"},
            "identifiers": {"nhs_number": nhs_number or an_nhs_number()},
        },
        "carers": [{"name": "Jo Example", "relationship": "mother", "parental_responsibility": True, "phone": "0113 496 0000"}],
        "involvement": {
            "service": service, "organisation": "Leeds Test School",
            "practitioner": {"name": "Sam Teacher", "phone": "0113 496 0001", "email": "sam.teacher@example.org"},
            "lead_professional": False, "caf_completed": False, "sensitive": False,
            "started_on": "2024-01-10", "ended_on": None,
        },
        "consent": {"retain_to_25": False},
        **extra,
    }


def an_unsure_pair(*, first_service: str = "school", second_service: str = "school") -> tuple[dict, dict]:
    """Two sources' records of what may be one child, sure enough to ask a person and not to link.

    The same names and gender, a digit of the birth date different, homes in different postcode
    districts and no verified identifier: a match weight between the feeds' two thresholds. The birth date is drawn at
    random so no other test's child is a candidate.
    """
    family, given = a_name(), a_name()
    year, month, day = random.randrange(2008, 2020), random.randrange(1, 13), random.randrange(11, 19)
    first = a_feed_message(family_name=family, service=first_service)
    second = a_feed_message(family_name=family, service=second_service)
    first["child"] |= {"given_names": [given], "date_of_birth": f"{year}-{month:02d}-{day}", "identifiers": {}}
    second["child"] |= {
        "given_names": [given], "date_of_birth": f"{year}-{month:02d}-{day + 1}", "identifiers": {},
        "address": {"lines": ["9 Low Road"], "town": "York", "postcode": "YO1 7HH"},
    }
    return first, second
