"""A running service: when one of its consumers cannot go on, the whole service stops and says why."""
import os
import subprocess
import sys
import threading
from functools import partial

import pytest
from amqp.exceptions import ChannelError
from kombu.exceptions import OperationalError

import shared.service
from services.audit.bootstrap import bootstrap as audit_service
from shared.messaging.connection import connect
from shared.messaging.publisher import Publisher
from shared.messaging.topology import rpc_queue
from contactpoint.sandbox import free_port
from tests.support import environment_for, wait_until


def test_a_service_whose_broker_cannot_be_reached_stops_and_raises(migrated, monkeypatch):
    monkeypatch.setattr(shared.service, "CONNECT_ATTEMPTS", 1)
    service = audit_service(migrated.but(amqp_url=f"amqp://guest:guest@127.0.0.1:{free_port()}//"))
    stop = threading.Event()

    with pytest.raises(OperationalError):
        service.run(stop)

    assert stop.is_set()


def test_a_service_whose_outbox_relay_fails_stops_and_raises(migrated, monkeypatch):
    """Consuming on with a dead relay would commit work that is never sent: the service stops, for its supervisor to restart."""
    service = audit_service(migrated)

    def broken_flush():
        raise ValueError("a fault the relay does not expect")

    monkeypatch.setattr(service.relay, "flush", broken_flush)
    stop = threading.Event()

    with pytest.raises(ValueError, match="does not expect"):
        service.run(stop)

    assert stop.is_set()


LOWEST_PRIORITY = 19


@pytest.mark.parametrize("name, niceness", [("audit", shared.service.BACKGROUND_NICENESS), ("directory", 0)])
def test_a_background_service_runs_at_a_lower_cpu_priority_and_the_others_as_started(migrated, name, niceness):
    started_at = os.getpriority(os.PRIO_PROCESS, 0)
    process = subprocess.Popen([sys.executable, "-m", "contactpoint", "run", name], env=environment_for(migrated),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # A service sets its priority before it consumes: once it consumes its requests, it runs as it will.
        wait_until(lambda: _consumers(migrated, rpc_queue(name)) or process.poll() is not None, timeout=60, what=f"{name} to consume")
        assert process.poll() is None
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == min(started_at + niceness, LOWEST_PRIORITY)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _consumers(settings, queue) -> int:
    with connect(settings) as connection:
        try:
            return queue(connection.default_channel).queue_declare(passive=True).consumer_count
        except ChannelError:  # not declared yet
            return 0


def test_an_outbox_relay_goes_on_while_the_broker_refuses_connections(migrated):
    """The issue's outage: the relay died on 'Connection refused' after its retries and the service consumed on. It waits now."""
    service = audit_service(migrated)
    service.relay._publisher = Publisher(partial(connect, migrated.but(amqp_url=f"amqp://guest:guest@127.0.0.1:{free_port()}//")))
    with service.db.sessions.begin() as session:
        session.execute(service.relay.tables.outbox.insert().values(
            message_id="waits-for-the-broker", exchange="cp.events", routing_key="anything", type="test", headers={}, body={}))
    stop = threading.Event()
    relay = threading.Thread(target=service.relay.run, args=(stop, 0.05))
    relay.start()
    try:
        relay.join(timeout=2)  # long enough for many tries at 0.05 s each
        assert relay.is_alive(), "the relay gave up on a broker that will come back"
    finally:
        stop.set()
        relay.join(timeout=10)
        with service.db.sessions.begin() as session:
            session.execute(service.relay.tables.outbox.delete().where(service.relay.tables.outbox.c.message_id == "waits-for-the-broker"))
        service.close()
