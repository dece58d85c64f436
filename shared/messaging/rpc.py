"""Requests over the broker: a caller asks ``<service>.<query>`` on ``cp.rpc`` and waits, bounded, for the answer.

The answering side is an ordinary ``Subscription`` with ``answers=True``. A request made for a
person carries their access token, as ``authorization: Bearer <token>`` in its headers.
"""
from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable
from functools import partial

import amqp.exceptions
from kombu import Connection, Consumer, Queue
from kombu.exceptions import OperationalError

from shared.errors import Unavailable, error_from
from shared.gate import AUTHORIZATION
from shared.messaging.amqp_internals import without_waiting_for_confirms
from shared.messaging.connection import HEARTBEAT_SECONDS, connect
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import publish_on
from shared.messaging.topology import RPC


DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
# A client's connection sends no heartbeat while it waits for its next question, so the broker closes one
# left idle for two heartbeat intervals; one idle longer than an interval is made anew before it is used.
IDLE_SECONDS = HEARTBEAT_SECONDS
ANSWER_SECONDS = 10.0  # how long a caller waits for an answer before it says the service is unavailable
# What a connection the broker closed, or could not open, raises: py-amqp's own errors are not OSErrors.
BROKEN = (OSError, ConnectionError, OperationalError, amqp.exceptions.ConnectionError)


class RpcClient:
    """Not thread-safe: each thread keeps its own client."""

    def __init__(self, connect: Callable[[], Connection], timeout: float = ANSWER_SECONDS):
        self._connect = connect
        self._timeout = timeout
        self._connection: Connection | None = None
        self._awaited: str | None = None
        self._answers: dict[str, dict] = {}
        self._used_at = 0.0
        self._blocked_because: str | None = None  # the broker's word that it takes no message for now (a resource alarm)

    def call(self, method: str, payload: dict, token: str | None = None):
        """The answer to ``method``, asked for the person whose access token this is, or for this process itself."""
        try:
            return self._call(method, payload, {AUTHORIZATION: f"Bearer {token}"} if token else {})
        except BROKEN as exc:
            self.close()
            raise Unavailable(f"the message broker could not be reached ({exc})") from exc

    def _call(self, method: str, payload: dict, headers: dict):
        kept = self._ensure_connection()
        try:
            self._hear_the_broker()
            correlation_id = self._awaited = uuid.uuid4().hex
            publish_on(self._channel, Envelope(
                exchange=RPC.name, routing_key=method, body=payload, headers=headers,
                reply_to=self._reply_queue.name, correlation_id=correlation_id, persistent=False,
            ))
        except BROKEN:
            if not kept:
                raise
            # The broker closed the connection kept from an earlier question (it restarted, or its node went): this
            # request never left, so it is asked once more on a new connection rather than refused.
            self.close()
            return self._call(method, payload, headers)
        deadline = time.monotonic() + self._timeout
        while correlation_id not in self._answers:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unavailable(f"{method.split('.')[0]} did not answer in time")
            if self._blocked_because is not None:
                raise self._refusal()
            try:
                self._connection.drain_events(timeout=remaining)
            except socket.timeout:
                continue
        answer = self._answers.pop(correlation_id)
        if "error" in answer:
            raise error_from(answer["error"])
        return answer["result"]

    def _hear_the_broker(self) -> None:
        """Reads, without waiting, what the broker has said since the last question: that it blocks publishers
        (a resource alarm) or no longer does, or that it has closed the connection, which raises here."""
        try:
            self._connection.drain_events(timeout=0)
        except socket.timeout:
            pass
        if self._blocked_because is not None:
            # The request would wait its whole timeout for an answer that cannot come: it is refused at once, and
            # not published, so a portal under load fills no socket with requests the broker does not read.
            raise self._refusal()

    def _refusal(self) -> Unavailable:
        return Unavailable(f"the message broker takes no new work for now ({self._blocked_because}); try again shortly")

    def _on_blocked(self, reason: str) -> None:
        self._blocked_because = reason

    def _on_unblocked(self) -> None:
        self._blocked_because = None

    def _ensure_connection(self) -> bool:
        """Whether the connection is one kept from an earlier question (False: made now)."""
        now = time.monotonic()
        idle, self._used_at = now - self._used_at, now
        if self._connection is not None and idle > IDLE_SECONDS:
            self.close()
        if self._connection is not None:
            return True
        self._connection = self._connect()
        if self._connection.transport.driver_type == "amqp":
            # Told when the broker blocks publishers, so that a request is refused at once rather than after its timeout.
            self._connection.transport_options = {**self._connection.transport_options,
                                                  "on_blocked": self._on_blocked, "on_unblocked": self._on_unblocked}
        self._connection.ensure_connection(max_retries=3)
        # A request is transient and its answer is awaited anyway: a broker confirm would only add a round trip.
        channel = without_waiting_for_confirms(self._connection.channel())
        if self._connection.transport.driver_type == "amqp":
            # RabbitMQ's direct reply-to: answers come straight back to the channel that asked, through no queue.
            self._reply_queue = Queue(DIRECT_REPLY_TO, no_declare=True)
        else:
            self._reply_queue = Queue(f"rpc.reply.{uuid.uuid4().hex}", exclusive=True, auto_delete=True, durable=False)
        self._consumer = Consumer(channel, queues=[self._reply_queue], on_message=self._on_answer, no_ack=True)
        self._consumer.consume()
        self._channel = channel
        return False

    def _on_answer(self, message) -> None:
        correlation_id = message.properties.get("correlation_id")
        if correlation_id == self._awaited:  # not the late answer to a request given up on
            self._answers[correlation_id] = message.decode()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.release()
        self._connection = None
        self._answers.clear()
        self._blocked_because = None


class Asker:
    """Asks over ``cp.rpc`` with a connection per question, for a service whose questions are rare (an approved
    disclosure, a new source): thread-safe, and holds no connection between questions."""

    def __init__(self, settings):
        self._connect = partial(connect, settings)

    def __call__(self, method: str, payload: dict, token: str | None = None):
        client = RpcClient(self._connect)
        try:
            return client.call(method, payload, token)
        finally:
            client.close()
