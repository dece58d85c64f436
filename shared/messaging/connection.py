"""Broker connections: the real RabbitMQ with publisher confirms, or kombu's in-memory broker when embedded.

Connections to RabbitMQ use py-amqp, as kombu does, with two changes that save system calls
(``amqp_internals`` says which and why).
"""
from __future__ import annotations

from kombu import Connection

from shared.messaging.amqp_internals import ReadingAheadTransport
from shared.settings import Settings

# Confirms make a publish return only once the broker holds the message.
BROKER_OPTIONS = {"confirm_publish": True}
# The in-memory broker is polled; a short interval keeps embedded answers quick.
EMBEDDED_OPTIONS = {"polling_interval": 0.005}
HEARTBEAT_SECONDS = 30


def connect(settings: Settings) -> Connection:
    if settings.embedded:
        # The in-memory broker checks no one; the process still names itself on what it publishes, as on RabbitMQ.
        return Connection("memory://localhost//", userid=settings.names.broker_user(settings.service or "operator"),
                          transport_options=EMBEDDED_OPTIONS)
    return Connection(settings.amqp_url, transport=ReadingAheadTransport, transport_options=BROKER_OPTIONS, heartbeat=HEARTBEAT_SECONDS,
                      connect_timeout=15)
