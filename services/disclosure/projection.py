"""What bulk disclosure may show of a child, taken from a merged record; everything else is left behind.

Kept: year and month of birth, gender, postcode district (none for a shielded child), LA,
and the kinds of service involved (sensitive involvements left out: ``shared.contracts.sensitive``
says which, for the directory's readers too). Never kept: names, addresses, carers, practitioners, contacts,
identifiers, the ContactPoint id.
"""
from __future__ import annotations

from shared.contracts.sensitive import is_sensitive
from shared.contracts.validators import postcode_district


def de_identified(snapshot: dict) -> dict:
    """The columns of ``DeIdentifiedChild`` for a ``ChildMergedSchema`` snapshot."""
    demographics = snapshot["demographics"]
    born = demographics["date_of_birth"]
    # Unknown when no source of the child gives one.
    postcode = demographics["address"].get("postcode")
    return {
        "version": snapshot["version"],
        "active": snapshot["active"],
        "la_code": snapshot["la_code"],
        "birth_year": born.year,
        "birth_month": born.month,
        "gender": demographics["gender"],
        "postcode_district": None if snapshot["shielded"] or not postcode else postcode_district(postcode),
        "service_kinds": sorted({i["service"] for i in snapshot["involvements"] if not is_sensitive(i)}),
    }
