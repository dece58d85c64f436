"""``feeds.child.merged``: the whole child each time, with a version the directory keeps the newest of."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from shared.contracts.children import CHILD_MERGED, ChildMergedSchema, child_merged


def snapshot(version: int) -> dict:
    return {"contactpoint_id": "CP-00001-00002-00003-00004", "version": version}


def test_a_merged_child_is_published_as_an_event_under_its_routing_key():
    event = child_merged(snapshot(3))

    assert (event.exchange, event.routing_key, event.type) == ("cp.events", CHILD_MERGED, CHILD_MERGED)
    assert event.body == snapshot(3)


def test_the_same_version_of_a_child_is_the_same_message_and_a_new_version_a_new_one():
    assert child_merged(snapshot(3)).message_id == child_merged(snapshot(3)).message_id == "CP-00001-00002-00003-00004:3"
    assert child_merged(snapshot(4)).message_id != child_merged(snapshot(3)).message_id


def merged(**changes) -> dict:
    return {
        "contactpoint_id": "CP-00001-00002-00003-00004", "version": 1, "la_code": "E08000035", "active": True,
        "demographics": {
            "family_name": "Smith", "given_names": ["Amy"], "date_of_birth": "2015-03-04", "gender": "female",
            "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"}, "identifiers": {"nhs_number": "9434765919"},
        },
        **changes,
    }


def test_a_merged_childs_identifiers_must_be_text():
    unchecked = merged()
    unchecked["demographics"]["identifiers"] = {"nhs_number": 9434765919}

    with pytest.raises(ValidationError) as refused:
        ChildMergedSchema().load(unchecked)

    assert refused.value.messages == {"demographics": {"identifiers": {"nhs_number": {"value": ["Not a valid string."]}}}}


def test_a_merged_childs_provenance_is_taken_and_sent_as_it_is():
    said = {"source_id": "leeds-schools", "source_record_id": "S-1", "received_at": "2026-11-01T09:00:00+00:00"}
    provenance = {"family_name": said, "former_family_names": [said]}

    loaded = ChildMergedSchema().load(merged(provenance=provenance))

    assert loaded["provenance"] == provenance
    assert ChildMergedSchema().dump(loaded)["provenance"] == provenance
