"""A stopped audit service loses nothing: what is published while it is down waits in its durable queue."""
from __future__ import annotations

import pytest
from kombu import Queue
from sqlalchemy import select

from services.audit.models import AuditRecord
from shared.messaging.connection import connect
from shared.messaging.publisher import Publisher
from shared.messaging.topology import AUDIT_EVENTS
from tests.integration.services.audit.conftest import lookups
from tests.support import running, wait_until

pytestmark = pytest.mark.integration


def stored_ids(audit) -> set[str]:
    with audit.db.sessions() as session:
        return set(session.scalars(select(AuditRecord.event_id)))


def test_the_audit_queue_is_a_durable_quorum_queue():
    assert AUDIT_EVENTS.durable
    assert AUDIT_EVENTS.queue_arguments["x-queue-type"] == "quorum"


def test_events_published_while_the_audit_service_is_down_are_stored_when_it_comes_back(audit_store, audit):
    publisher = Publisher(lambda: connect(audit_store.for_service("directory")))
    before, while_down = lookups(3), lookups(5)
    try:
        with running(audit):
            publisher.publish(*before)
            wait_until(lambda: {e.message_id for e in before} <= stored_ids(audit), what="the first events to be stored")

        publisher.publish(*while_down)
        with connect(audit_store) as connection:
            waiting = Queue(AUDIT_EVENTS.name, queue_arguments=AUDIT_EVENTS.queue_arguments)(connection.default_channel)
            assert waiting.queue_declare(passive=True).message_count >= len(while_down)
        assert not {e.message_id for e in while_down} & stored_ids(audit)

        with running(audit):
            wait_until(lambda: {e.message_id for e in while_down} <= stored_ids(audit), what="the events sent while it was down")
    finally:
        publisher.close()


def test_events_arriving_together_are_stored_together_each_once_and_a_bad_one_does_not_hold_back_the_rest(audit_store, audit):
    from dataclasses import replace

    first, second, third = lookups(3)
    broken = replace(audit_event_without_actor_name(), routing_key="E08000035.directory.read")
    publisher = Publisher(lambda: connect(audit_store.for_service("directory")))
    try:
        publisher.publish(first, broken, second, first, third)
    finally:
        publisher.close()

    with running(audit):
        wait_until(lambda: {e.message_id for e in (first, second, third)} <= stored_ids(audit), what="the good events to be stored")

    assert broken.message_id not in stored_ids(audit)
    with audit.db.sessions() as session:
        assert [r.event_id for r in session.scalars(select(AuditRecord).where(AuditRecord.event_id == first.message_id))] == [first.message_id]


def audit_event_without_actor_name():
    (event,) = lookups(1)
    event.body["actor"] = {"la_code": "E08000035"}
    return event
