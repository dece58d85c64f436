"""Publishing on a real broker: a batch is held by the broker, every message of it, when ``publish`` returns."""
import uuid
from contextlib import closing
from dataclasses import replace
from functools import partial

import pytest
from kombu import Queue

from contactpoint.sandbox import free_port
from shared.errors import Unavailable
from shared.messaging import topology
from shared.messaging.connection import connect
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher


def test_every_message_of_a_batch_is_in_its_queue_when_publish_returns(migrated):
    assert held_after(migrated, Publisher(partial(connect, migrated)), 500, 1) == 501


def test_an_audit_event_that_reaches_no_queue_fails_its_publish(migrated, broker_admin):
    """Audit events go ``mandatory``: where nothing is bound to take them (the audit queue deleted, say), the broker
    returns the event and the publisher raises, so the unit of work that emitted it is not taken as audited."""
    vhost = f"{migrated.vhost}_unbound_{uuid.uuid4().hex[:6]}"
    broker_admin.create_vhost(vhost)
    unbound = replace(migrated, amqp_url=migrated.amqp_url.rsplit("/", 1)[0] + f"/{vhost}")
    try:
        with connect(unbound) as connection:
            topology.AUDIT(connection.default_channel).declare()
        with closing(Publisher(partial(connect, unbound))) as publisher, pytest.raises(Unavailable, match="reached no queue"):
            publisher.publish(Envelope(exchange=topology.AUDIT.name, routing_key="E08000035.directory.search", body={"n": 1}))
    finally:
        broker_admin.delete_vhost(vhost)


def test_a_broker_that_refuses_connections_is_unavailable_for_the_caller_to_try_again(migrated):
    """Not kombu's connection error: the outbox relay takes ``Unavailable`` as 'later' and goes on; anything else ends it."""
    nowhere = replace(migrated, amqp_url=f"amqp://guest:guest@127.0.0.1:{free_port()}//")
    with closing(Publisher(partial(connect, nowhere))) as publisher, pytest.raises(Unavailable, match="did not take"):
        publisher.publish(Envelope(exchange=topology.EVENTS.name, routing_key="anything", body={"n": 1}))


def test_a_publisher_given_several_broker_addresses_goes_on_to_the_next_when_one_refuses(migrated):
    """``CP_AMQP_URL`` with ``;``: a node that is down is passed over, as kombu's failover does."""
    down = migrated.amqp_url.replace(f":{migrated.amqp_url.rsplit(':', 1)[1].split('/')[0]}/", f":{free_port()}/")
    publisher = Publisher(partial(connect, migrated.but(amqp_url=f"{down};{migrated.amqp_url}")))

    assert held_after(migrated, publisher, 1) == 1


def held_after(migrated, publisher: Publisher, *batches: int) -> int:
    """How many messages a queue of the test's own holds once ``publisher`` has published to it batches of these sizes."""
    key = f"publisher-test.{uuid.uuid4().hex[:8]}"
    queue = Queue(key, topology.EVENTS, routing_key=key, durable=True, queue_arguments={"x-queue-type": "quorum"})
    with connect(migrated) as connection:
        queue(connection.default_channel).declare()
        try:
            for size in batches:
                publisher.publish(*(Envelope(exchange=topology.EVENTS.name, routing_key=key, body={"n": n}) for n in range(size)))
            return queue(connection.default_channel).queue_declare(passive=True).message_count
        finally:
            queue(connection.default_channel).delete()
            publisher.close()
