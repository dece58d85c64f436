"""Connections to the real broker read ahead: many small frames come in one read, a large one across several."""
import socket
import uuid

from kombu import Consumer, Queue

from shared.messaging import topology
from shared.messaging.amqp_internals import READ_AHEAD
from shared.messaging.connection import connect
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import publish_on


def test_every_message_arrives_whole_and_in_order_whether_smaller_or_larger_than_a_read(migrated):
    key = f"connection-test.{uuid.uuid4().hex[:8]}"
    queue = Queue(key, topology.EVENTS, routing_key=key, durable=False, auto_delete=True)
    sizes = [1, 3 * READ_AHEAD, 40, 0, READ_AHEAD - 7, 200] * 20
    sent = [{"n": n, "pad": "x" * size} for n, size in enumerate(sizes)]
    received = []
    with connect(migrated) as connection:
        channel = connection.channel()
        with Consumer(channel, queues=[queue], accept=["json"], on_message=lambda message: (received.append(message.decode()), message.ack())):
            for body in sent:
                publish_on(channel, Envelope(exchange=topology.EVENTS.name, routing_key=key, body=body))
            while len(received) < len(sent):
                try:
                    connection.drain_events(timeout=10)
                except socket.timeout:
                    break

    assert received == sent
