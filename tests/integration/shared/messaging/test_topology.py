"""Declaring the topology on a broker that an earlier release declared: a delay queue of the older kind is replaced only while empty."""
from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from kombu import Queue

from shared.messaging import topology
from shared.messaging.connection import connect

WORK = topology.FEEDS_PARTNER_MESSAGES


@pytest.fixture
def fresh(settings, broker_admin):
    vhost = f"{settings.vhost}_topology_{uuid.uuid4().hex[:6]}"
    broker_admin.create_vhost(vhost)
    try:
        yield replace(settings, amqp_url=settings.amqp_url.rsplit("/", 1)[0] + f"/{vhost}")
    finally:
        broker_admin.delete_vhost(vhost)


def classic_delay_queue(connection, holding: int) -> None:
    """The delay queue as an earlier release declared it: classic, on one node only."""
    older = Queue(f"{WORK.name}.delayed", topology.DELAY, routing_key=WORK.name, durable=True,
                  queue_arguments={"x-queue-type": "classic", "x-dead-letter-exchange": "", "x-dead-letter-routing-key": WORK.name})
    channel = connection.channel()
    topology.DELAY(channel).declare()
    older(channel).declare()
    for _ in range(holding):
        channel.basic_publish(channel.prepare_message(b"{}"), exchange="", routing_key=older.name)


def declared_as(connection, queue: Queue) -> bool:
    """Whether the broker holds the queue with these very arguments: it refuses to declare it otherwise."""
    try:
        queue(connection.channel()).declare()
        return True
    except connection.channel_errors:
        return False


def test_every_delay_queue_is_a_quorum_queue_that_gives_back_its_expired_messages_at_least_once():
    for work in topology.RETRIED:
        arguments = topology.delay_queue(work).queue_arguments
        assert arguments["x-queue-type"] == "quorum"
        assert (arguments["x-dead-letter-strategy"], arguments["x-overflow"]) == ("at-least-once", "reject-publish")


def test_an_empty_delay_queue_of_an_earlier_release_is_replaced(fresh):
    with connect(fresh) as connection:
        classic_delay_queue(connection, holding=0)
        topology.declare(connection)
        assert declared_as(connection, topology.delay_queue(WORK))


def test_a_delay_queue_of_an_earlier_release_still_holding_retries_is_kept_and_migrate_says_why(fresh):
    with connect(fresh) as connection:
        classic_delay_queue(connection, holding=2)
        with pytest.raises(RuntimeError, match="still holds messages"):
            topology.declare(connection)
        assert not declared_as(connection, topology.delay_queue(WORK))
        assert connection.channel().queue_declare(f"{WORK.name}.delayed", passive=True).message_count == 2
