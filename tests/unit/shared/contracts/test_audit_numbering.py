"""Each producer numbers its audit events from 1 without a gap, so the audit store can tell when one is lost."""
from __future__ import annotations

from shared.contracts.audit import AuditEventSchema, ProducerNumbers, audit_event


def test_a_service_in_this_process_numbers_its_events_one_after_another():
    first, second = audit_event("directory", "read"), audit_event("directory", "search")

    assert first.body["producer"] == second.body["producer"]
    assert second.body["producer_seq"] == first.body["producer_seq"] + 1


def test_each_service_is_a_producer_of_its_own():
    assert audit_event("directory", "read").body["producer"] != audit_event("identity", "logout").body["producer"]


def test_a_new_numbering_starts_from_one_under_a_name_of_its_own():
    numbers, other = ProducerNumbers(), ProducerNumbers()

    assert [numbers.next("feeds")[1] for _ in range(3)] == [1, 2, 3]
    assert other.next("feeds")[0] != numbers.next("feeds")[0]


def test_an_event_from_a_producer_that_does_not_number_its_events_is_still_accepted():
    body = audit_event("identity", "logout").body
    del body["producer"], body["producer_seq"]

    loaded = AuditEventSchema().load(body)

    assert loaded["producer"] is None and loaded["producer_seq"] is None
