"""Publishing that returns only when the broker holds the message, or raises ``Unavailable``."""
from __future__ import annotations

import threading
from collections.abc import Callable

from kombu import Connection, Producer

from shared.errors import Unavailable
from shared.messaging.envelope import Envelope

RETRY_POLICY = {"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5, "interval_max": 2.0}


def publish_on(producer: Producer, envelope: Envelope) -> None:
    producer.publish(
        envelope.encode(),
        exchange=envelope.exchange,
        routing_key=envelope.routing_key,
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=2 if envelope.persistent else 1,
        message_id=envelope.message_id,
        type=envelope.type,
        headers=envelope.headers,
        retry=True,
        retry_policy=RETRY_POLICY,
        **_optional_properties(envelope),
    )


def _optional_properties(envelope: Envelope) -> dict:
    properties = {
        "user_id": envelope.user_id,
        "reply_to": envelope.reply_to,
        "correlation_id": envelope.correlation_id,
    }
    return {name: value for name, value in properties.items() if value}


class Publisher:
    """One confirmed channel for a process's publishing; safe to share between threads."""

    def __init__(self, connect: Callable[[], Connection]):
        self._connect = connect
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._producer: Producer | None = None

    def publish(self, *envelopes: Envelope) -> None:
        with self._lock:
            try:
                producer = self._ensure_producer()
                for envelope in envelopes:
                    publish_on(producer, envelope)
            except Exception as exc:
                self._close()
                raise Unavailable(f"the message broker did not take the message ({exc.__class__.__name__}: {exc})") from exc

    def close(self) -> None:
        with self._lock:
            self._close()

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            self._connection = self._connect()
            self._connection.ensure_connection(max_retries=3)
            self._producer = Producer(self._connection.channel())
        return self._producer

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.release()
        self._connection = None
        self._producer = None
