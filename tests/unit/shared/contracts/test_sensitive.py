"""One meaning of sensitive: what the directory withholds from a reader who may not see it is exactly what bulk disclosure leaves out."""
from __future__ import annotations

from datetime import date

import pytest

from services.directory.rules import withhold
from services.disclosure.projection import de_identified
from shared.contracts.feeds import SERVICE_KINDS
from shared.contracts.sensitive import SENSITIVE_SERVICES, is_sensitive


def involvement(service: str, sensitive: bool) -> dict:
    return {"service": service, "organisation": "Somewhere", "sensitive": sensitive, "la_code": "E08000035",
            "practitioner": {"name": "Sam Patel", "phone": None, "email": None}}


def snapshot(*involvements: dict) -> dict:
    return {
        "contactpoint_id": "CP-1", "version": 1, "la_code": "E08000035", "active": True, "shielded": False,
        "demographics": {"family_name": "Smith", "given_names": ["Amy"], "former_family_names": [], "date_of_birth": date(2012, 3, 4),
                         "gender": "female", "address": {"lines": [], "town": "", "postcode": "LS1 4AP"}, "identifiers": {}},
        "carers": [], "involvements": list(involvements),
    }


@pytest.mark.parametrize("flagged", [False, True], ids=["unflagged", "flagged"])
@pytest.mark.parametrize("service", SERVICE_KINDS)
def test_the_directory_and_bulk_disclosure_agree_on_what_is_sensitive(service, flagged):
    child = snapshot(involvement(service, flagged))

    shown_to_a_reader = [i["service"] for i in withhold(child, shielded=False, sees_sensitive=False)["involvements"]]
    released_in_bulk = de_identified(child)["service_kinds"]

    assert shown_to_a_reader == released_in_bulk == ([] if is_sensitive(child["involvements"][0]) else [service])
    assert is_sensitive(child["involvements"][0]) == (flagged or service in SENSITIVE_SERVICES)


def test_every_sensitive_service_is_a_service_kind_of_the_feed_contract():
    assert SENSITIVE_SERVICES <= set(SERVICE_KINDS)
