"""``feeds.child.merged``: the whole child each time, with a version the directory keeps the newest of."""
from __future__ import annotations

from shared.contracts.children import CHILD_MERGED, child_merged


def snapshot(version: int) -> dict:
    return {"contactpoint_id": "CP-00001-00002-00003-00004", "version": version}


def test_a_merged_child_is_published_as_an_event_under_its_routing_key():
    event = child_merged(snapshot(3))

    assert (event.exchange, event.routing_key, event.type) == ("cp.events", CHILD_MERGED, CHILD_MERGED)
    assert event.body == snapshot(3)


def test_the_same_version_of_a_child_is_the_same_message_and_a_new_version_a_new_one():
    assert child_merged(snapshot(3)).message_id == child_merged(snapshot(3)).message_id == "CP-00001-00002-00003-00004:3"
    assert child_merged(snapshot(4)).message_id != child_merged(snapshot(3)).message_id
