"""Each producer numbers its audit events from 1 as it hands them on, so the audit store can tell when one is lost."""
from __future__ import annotations

from shared.contracts.audit import AuditEventSchema, ProducerNumbers, audit_event, numbered, settled
from shared.messaging import topology
from shared.messaging.envelope import Envelope


def test_a_service_in_this_process_numbers_the_events_it_hands_on_one_after_another():
    first = numbered(audit_event("directory", "read"))
    never_sent = audit_event("directory", "read")
    second = numbered(audit_event("directory", "search"))

    assert first.body["producer"] == second.body["producer"]
    assert second.body["producer_seq"] == first.body["producer_seq"] + 1
    assert "producer_seq" not in never_sent.body


def test_numbering_leaves_the_event_it_was_given_as_it_was():
    made = audit_event("directory", "read")

    sent = numbered(made)

    assert sent.message_id == made.message_id and sent.body["event_id"] == made.body["event_id"]
    assert "producer" not in made.body


def test_each_service_is_a_producer_of_its_own():
    assert numbered(audit_event("directory", "read")).body["producer"] != numbered(audit_event("identity", "logout")).body["producer"]


def test_a_message_that_is_not_an_audit_event_is_not_numbered():
    message = Envelope(exchange=topology.EVENTS.name, routing_key="directory.child_held", body={"service": "directory"})

    assert numbered(message) is message


def test_a_new_numbering_starts_from_one_under_a_name_of_its_own():
    numbers, other = ProducerNumbers(), ProducerNumbers()

    assert [numbers.next("feeds")[1] for _ in range(3)] == [1, 2, 3]
    assert other.next("feeds")[0] != numbers.next("feeds")[0]


def test_an_event_from_a_producer_that_does_not_number_its_events_is_still_accepted():
    loaded = AuditEventSchema().load(audit_event("identity", "logout").body)

    assert loaded["producer"] is None and loaded["producer_seq"] is None


def test_numbers_the_broker_never_confirmed_are_named_by_the_next_events_until_one_of_those_is_confirmed():
    lost = numbered(audit_event("disclosure", "read"))
    settled([lost], confirmed=False)
    after = numbered(audit_event("disclosure", "read"))
    also_lost = numbered(audit_event("disclosure", "read"))
    settled([also_lost], confirmed=False)
    vouching = numbered(audit_event("disclosure", "read"))
    settled([vouching], confirmed=True)
    clean = numbered(audit_event("disclosure", "read"))

    assert after.body["unconfirmed"] == [lost.body["producer_seq"]]
    assert vouching.body["unconfirmed"] == [lost.body["producer_seq"], also_lost.body["producer_seq"]]
    assert "unconfirmed" not in clean.body
    assert AuditEventSchema().load(vouching.body)["unconfirmed"] == vouching.body["unconfirmed"]
