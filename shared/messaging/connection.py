"""Broker connections: the real RabbitMQ with publisher confirms, or kombu's in-memory broker when embedded."""
from __future__ import annotations

from kombu import Connection

from shared.settings import Settings

# Confirms make a publish return only once the broker holds the message.
BROKER_OPTIONS = {"confirm_publish": True}
# The in-memory broker is polled; a short interval keeps embedded answers quick.
EMBEDDED_OPTIONS = {"polling_interval": 0.005}


def connect(settings: Settings) -> Connection:
    if settings.embedded:
        return Connection("memory://localhost//", transport_options=EMBEDDED_OPTIONS)
    return Connection(settings.amqp_url, transport_options=BROKER_OPTIONS, heartbeat=30, connect_timeout=15)
