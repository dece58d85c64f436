"""Publishing that returns only when the broker holds the message, or raises ``Unavailable``."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kombu import Connection

from shared.errors import Unavailable
from shared.messaging.amqp_internals import without_waiting_for_confirms
from shared.messaging.envelope import Envelope
from shared.messaging.topology import MANDATORY

SEND_ATTEMPTS = 2


def publish_on(channel, envelope: Envelope) -> None:
    """Sends the envelope on a kombu channel, py-amqp's or the in-memory broker's, as the channel's own broker user.

    Straight through the channel, not through a kombu ``Producer``: its serialiser lookups and
    retry wrapper cost more than the send itself, and a broken connection is handled by whoever
    owns the channel (a consumer reconnects, a ``Publisher`` sends its batch again, a caller is told).
    The message carries ``user_id``, which RabbitMQ checks against the connection's user, so that
    its consumer knows for certain who sent it; on an exchange whose messages must reach a queue
    (``MANDATORY``), one that reaches none comes back, and a ``Publisher`` raises.
    """
    properties = {"delivery_mode": 2 if envelope.persistent else 1, "message_id": envelope.message_id, "type": envelope.type,
                  **_optional_properties(envelope, channel.connection.client.userid)}
    message = channel.prepare_message(envelope.encode(), content_type="application/json", content_encoding="utf-8",
                                      headers=envelope.headers, properties=properties)
    channel.basic_publish(message, exchange=envelope.exchange, routing_key=envelope.routing_key, mandatory=envelope.exchange in MANDATORY)


def _optional_properties(envelope: Envelope, broker_user: str | None) -> dict:
    properties = {
        "user_id": envelope.user_id or broker_user,
        "reply_to": envelope.reply_to,
        "correlation_id": envelope.correlation_id,
    }
    return {name: value for name, value in properties.items() if value}


class Publisher:
    """Publishing that returns once the broker holds the messages; safe to share between threads.

    Each thread publishes on a connection of its own, so that a thread waiting for its confirms
    (a quorum queue's take a disk write) holds up no other thread's publishing.
    """

    def __init__(self, connect: Callable[[], Connection], confirm_timeout: float = 30.0):
        self._connect = connect
        self._confirm_timeout = confirm_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._channels: set[_ConfirmedChannel] = set()

    def publish(self, *envelopes: Envelope) -> None:
        """Returns once the broker holds every message; a broken connection is replaced and the whole batch sent again
        (consumers drop what they already had by ``message_id``)."""
        for attempt in range(1, SEND_ATTEMPTS + 1):
            channel = None
            try:
                # Connecting is part of the attempt: a broker that refuses connections is ``Unavailable`` too, for
                # the caller to try again later (the outbox relay does), not a failure that ends its thread.
                channel = self._channel()
                channel.publish(envelopes, self._confirm_timeout)
                return
            except Exception as exc:
                if channel is not None:
                    self._drop(channel)
                if attempt == SEND_ATTEMPTS:
                    raise Unavailable(f"the message broker did not take the message ({exc.__class__.__name__}: {exc})") from exc

    def close(self) -> None:
        with self._lock:
            channels, self._channels = self._channels, set()
        for channel in channels:
            channel.close()

    def _channel(self) -> _ConfirmedChannel:
        channel = getattr(self._local, "channel", None)
        if channel is None:
            channel = self._local.channel = _ConfirmedChannel(self._connect())
            with self._lock:
                self._channels.add(channel)
        return channel

    def _drop(self, channel: _ConfirmedChannel) -> None:
        self._local.channel = None
        with self._lock:
            self._channels.discard(channel)
        channel.close()


class _ConfirmedChannel:
    """One thread's connection and channel for publishing.

    The channel is put in confirm mode by hand, so that a batch (an outbox flush) is published
    whole and then waited on once for the broker's acknowledgements, not once a message.
    """

    def __init__(self, connection: Connection):
        self._connection = connection
        self._connection.ensure_connection(max_retries=3)
        channel = self._connection.channel()
        self._confirms: _Confirms | None = None
        if getattr(channel, "confirm_select", None) and getattr(self._connection.connection, "confirm_publish", False):
            # Confirms are asked for once here and counted below, instead of awaited after each publish.
            without_waiting_for_confirms(channel).confirm_select()
            self._confirms = _Confirms(channel)
        self._channel = channel

    def publish(self, envelopes: tuple[Envelope, ...], confirm_timeout: float) -> None:
        for envelope in envelopes:
            publish_on(self._channel, envelope)
        if self._confirms is not None:
            self._confirms.wait_for_all(self._connection, confirm_timeout)

    def close(self) -> None:
        self._connection.release()


class _Confirms:
    """Counts publishes on a confirm-mode channel against the broker's acks (delivery tags run 1, 2, 3 ...)."""

    def __init__(self, channel):
        self._published = 0
        self._acked_upto = 0
        self._acked: set[int] = set()
        self._nacked = False
        self._returned: list[str] = []
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        original = channel.basic_publish

        def counted(*args, **kwargs):
            self._published += 1
            return original(*args, **kwargs)

        channel.basic_publish = counted

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._acked_upto = max(self._acked_upto, delivery_tag)
        else:
            self._acked.add(delivery_tag)
        while self._acked_upto + 1 in self._acked:
            self._acked_upto += 1
            self._acked.discard(self._acked_upto)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked = True

    def _on_return(self, exc, exchange: str, routing_key: str, message) -> None:
        # Sent before the message's ack: the broker took it, and it reached no queue.
        self._returned.append(f"{exchange} {routing_key}")

    def wait_for_all(self, connection: Connection, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._acked_upto < self._published and not self._nacked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self._published - self._acked_upto} messages not confirmed in {timeout:.0f}s")
            connection.drain_events(timeout=remaining)
        if self._nacked:
            raise RuntimeError("the broker refused a message (nack)")
        if self._returned:
            returned, self._returned = self._returned, []
            raise RuntimeError(f"{len(returned)} messages reached no queue ({returned[0]}): none may be lost unseen")
