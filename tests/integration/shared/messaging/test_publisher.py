"""Publishing on a real broker: a batch is held by the broker, every message of it, when ``publish`` returns."""
import uuid
from functools import partial

from kombu import Queue

from shared.messaging import topology
from shared.messaging.connection import connect
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher


def test_every_message_of_a_batch_is_in_its_queue_when_publish_returns(migrated):
    key = f"publisher-test.{uuid.uuid4().hex[:8]}"
    queue = Queue(key, topology.EVENTS, routing_key=key, durable=True, queue_arguments={"x-queue-type": "quorum"})
    publisher = Publisher(partial(connect, migrated))
    with connect(migrated) as connection:
        queue(connection.default_channel).declare()
        try:
            publisher.publish(*(Envelope(exchange=topology.EVENTS.name, routing_key=key, body={"n": n}) for n in range(500)))
            publisher.publish(Envelope(exchange=topology.EVENTS.name, routing_key=key, body={"n": 500}))
            held = queue(connection.default_channel).queue_declare(passive=True).message_count
        finally:
            queue(connection.default_channel).delete()
            publisher.close()

    assert held == 501
