"""What the disclosure service keeps of a merged record: nothing that names, locates, contacts or identifies the child."""
import json
from datetime import date

from services.disclosure.projection import de_identified


def snapshot(**changes) -> dict:
    return {
        "contactpoint_id": "CP-1", "version": 3, "la_code": "E08000035", "active": True, "shielded": False,
        "demographics": {
            "family_name": "Smith", "given_names": ["Amy"], "former_family_names": ["Jones"], "date_of_birth": date(2012, 3, 4),
            "gender": "female", "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"},
            "identifiers": {"nhs_number": "9434765919", "upn": "A123456789012"},
        },
        "carers": [{"name": "Jo Smith", "relationship": "mother", "phone": "0113 496 0000"}],
        "involvements": [
            {"service": "school", "organisation": "Leeds School", "sensitive": False,
             "practitioner": {"name": "Sam Patel", "phone": "0113 496 0001", "email": "sam@example.org"}},
            {"service": "sexual_health", "organisation": "Clinic", "sensitive": True,
             "practitioner": {"name": "Kim Lee", "phone": None, "email": None}},
        ],
        **changes,
    }


def test_only_what_bulk_disclosure_may_show_is_kept():
    kept = de_identified(snapshot())

    assert kept == {"version": 3, "active": True, "la_code": "E08000035", "birth_year": 2012, "birth_month": 3, "gender": "female",
                    "postcode_district": "LS1", "service_kinds": ["school"]}
    text = json.dumps(kept)
    for secret in ("Smith", "Amy", "Jones", "High Street", "LS1 4AP", "9434765919", "A123456789012", "0113", "Sam", "CP-1", "Clinic"):
        assert secret not in text


def test_a_shielded_child_has_no_postcode_district():
    assert de_identified(snapshot(shielded=True))["postcode_district"] is None


def test_a_child_whose_postcode_is_unknown_has_no_postcode_district():
    unplaced = snapshot()
    unplaced["demographics"]["address"]["postcode"] = None

    assert de_identified(unplaced)["postcode_district"] is None
