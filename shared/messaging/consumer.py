"""Consuming: decode, validate, check who sent it, de-duplicate, handle in one unit of work, then ack.

``MessageProcessor`` holds the rules and knows nothing of kombu; ``Worker`` only translates
between AMQP messages and envelopes. Who sent a message is settled by the gate
(``shared/gate.py``) before any handler runs: a request is handed its asker, proven, as
``actor``; a refused request is answered with the refusal and audited. Permanent faults (bad input, a broken rule, a bug) go to
the dead-letter queue with their reason, and to the sender as feedback where the subscription
says how. A transient one is retried without holding up the consumer: the message waits out the
retry's delay in its queue's delay queue (``topology.delay_queue``), which the broker returns it
from, counting the returns in ``x-death``; once they reach the policy's number, it is dead-lettered.
A request is answered ``unavailable`` at once instead: its caller is waiting, and may ask again.
"""
from __future__ import annotations

import itertools
import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from kombu import Connection, Queue
from kombu.mixins import ConsumerMixin
from marshmallow import Schema, ValidationError

from shared.contracts.audit import audit_event
from shared.errors import DomainError, Forbidden, InvalidRequest, NotAuthenticated, Unavailable, first_fault, is_transient
from shared.gate import Gate, Senders
from shared.messaging.envelope import Envelope, encode_body
from shared.messaging.amqp_internals import without_waiting_for_confirms
from shared.messaging.dead_letters import FROM_EXCHANGE, FROM_ROUTING_KEY, FROM_USER, REASON
from shared.messaging.publisher import publish_on
from shared.messaging.topology import DEAD, DELAY, MANDATORY, delay_queue
from shared.principals import Askers, Names
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Any, Envelope], Any]
BatchHandler = Callable[[UnitOfWork, list[tuple[Any, Envelope]]], None]
# The longest a worker holding part of a batch gathers more before handling what it has: a
# trickle of messages is then handled a few at a time, in one transaction, not each in its own.
BATCH_GATHERING_SECONDS = 0.05
Feedback = Callable[[Envelope, dict], list[Envelope]]


def no_feedback(envelope: Envelope, reason: dict) -> list[Envelope]:
    return []


@dataclass(frozen=True)
class Subscription:
    """One kind of message a service handles: from which queue, under which routing key (None: any), by one handler.

    The handler takes one message (``handler``), or, where handling many at once costs less than one
    by one, a list of (payload, envelope) pairs (``batch_handler``): then a message handled alone, as
    after a failed batch, is a list of one, so that each message is handled by the same code.
    """

    queue: Queue
    handler: Handler | None = None
    routing_key: str | None = None
    schema: type[Schema] | None = None
    on_rejected: Feedback = no_feedback
    answers: bool = False  # a request whose reply goes back to its caller
    batch: int = 1  # up to this many messages that arrive together are handled in one unit of work
    batch_handler: BatchHandler | None = None
    reads_only: bool = False  # its handler changes nothing in the database: no transaction is begun for it
    askers: Askers | None = None  # for a request: who may ask it (see ``shared/principals.py``)
    senders: Senders = ()  # the only processes it is taken from, as the broker says; empty, anyone the queue lets in

    def __post_init__(self):
        if (self.handler is None) == (self.batch_handler is None):
            raise TypeError(f"a subscription to {self.queue.name} has one handler: of one message, or of a batch")
        if self.batch_handler is not None and self.answers:
            raise TypeError("a request is answered one by one: its handler takes one message")


def route(subscriptions: list[Subscription], routing_key: str) -> Subscription | None:
    exact = [sub for sub in subscriptions if sub.routing_key == routing_key]
    return (exact or [sub for sub in subscriptions if sub.routing_key is None] or [None])[0]


@dataclass(frozen=True)
class RetryPolicy:
    delays: tuple[float, ...] = (0.2, 1.0, 5.0)  # seconds waited before each retry, in turn


@dataclass(frozen=True)
class Outcome:
    reply: dict | None = None
    rejection: dict | None = None
    duplicate: bool = False
    feedback: list[Envelope] = field(default_factory=list)
    retry_after: float | None = None  # seconds the message waits in its delay queue before it is handled again


def retries_of(envelope: Envelope) -> int:
    """How many times the message came back from waiting out a retry's delay, as the broker counted them."""
    return sum(death.get("count", 0) for death in envelope.headers.get("x-death") or []
               if death.get("reason") == "expired" and str(death.get("queue", "")).endswith(".delayed"))


class MessageProcessor:
    def __init__(
        self,
        consumer: str,
        unit_of_work: Callable[..., UnitOfWork],  # called as unit_of_work(reads_only=..., answering=the request, if one)
        retry: RetryPolicy = RetryPolicy(),
        gate: Gate = Gate(Names()),
    ):
        self.consumer = consumer
        self._unit_of_work = unit_of_work
        self._gate = gate
        self._retry = retry
        self._schemas: dict[type[Schema], Schema] = {}

    def _load(self, subscription: Subscription, body: dict):
        if subscription.schema is None:
            return body
        # Made once a processor (a processor serves one consumer thread): making a schema costs more than a load.
        schema = self._schemas.get(subscription.schema) or self._schemas.setdefault(subscription.schema, subscription.schema())
        return schema.load(body)

    def process(self, subscription: Subscription, envelope: Envelope) -> Outcome:
        try:
            self._gate.check_sender(subscription.senders, envelope)
            payload = self._load(subscription, envelope.body)
        except ValidationError as exc:
            invalid = InvalidMessage(f"the message is not valid: {first_fault(exc.messages)}", details=exc.messages)
            return self._refuse(subscription, envelope, invalid.as_dict())
        except DomainError as exc:
            return self._refuse(subscription, envelope, exc.as_dict())
        if subscription.askers is not None:
            try:
                payload["actor"] = self._gate.asker(subscription.askers, envelope)
            except (NotAuthenticated, Forbidden) as refusal:
                self._audit_refusal(envelope, refusal)
                return self._refuse(subscription, envelope, refusal.as_dict())
        try:
            return self._handle(subscription, envelope, payload)
        except DomainError as exc:
            return self._refuse(subscription, envelope, exc.as_dict())
        except Exception as exc:
            if not is_transient(exc):
                log.exception("handler for %s failed on message %s", subscription.queue.name, envelope.message_id)
                return self._refuse(subscription, envelope, {"code": "handler_failed", "message": f"{exc.__class__.__name__}: {exc}"})
            retries = retries_of(envelope)
            if subscription.answers or retries >= len(self._retry.delays):
                given_up = Unavailable(f"still failing after {retries + 1} attempt{'s' if retries else ''}: {exc}")
                return self._refuse(subscription, envelope, given_up.as_dict())
            log.warning("retrying message %s in %ss: %s", envelope.message_id, self._retry.delays[retries], exc)
            return Outcome(retry_after=self._retry.delays[retries])

    def _audit_refusal(self, envelope: Envelope, refusal: DomainError) -> None:
        """A refused request is an audit event of the service refusing it, naming what was asked and by which broker user."""
        event = audit_event(self.consumer, "request_refused", outcome="refused", subject=envelope.routing_key,
                            detail={"refusal": refusal.as_dict(), "sent_by": envelope.user_id})
        try:
            with self._unit_of_work(reads_only=True, answering=envelope) as uow:
                uow.publish_now(event)
        except Unavailable as exc:  # the answer goes the same way and will not arrive either; the caller times out
            log.warning("a refusal of %s could not be audited: %s", envelope.routing_key, exc)

    def process_batch(self, subscription: Subscription, envelopes: list[Envelope]) -> list[Outcome]:
        """Handles the messages in one unit of work, in order; if any is refused or fails, each is handled on its own instead.

        One commit for many messages is what makes ingestion fast; handling one by one after a
        failure keeps every message's outcome exactly what ``process`` would have given it.
        """
        if len(envelopes) == 1 or subscription.answers:
            return [self.process(subscription, envelope) for envelope in envelopes]
        try:
            for envelope in envelopes:
                self._gate.check_sender(subscription.senders, envelope)
            payloads = [self._load(subscription, e.body) for e in envelopes]
            return self._handle_together(subscription, envelopes, payloads)
        except Exception as exc:  # sorted message by message below, where every fault gets its own outcome
            log.info("a batch of %d from %s is handled one by one: %s", len(envelopes), subscription.queue.name, exc)
            return [self.process(subscription, envelope) for envelope in envelopes]

    def _handle_together(self, subscription: Subscription, envelopes: list[Envelope], payloads: list) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with self._unit_of_work() as uow:
            new = uow.claim(self.consumer, [e.message_id for e in envelopes])
            fresh = []
            for envelope, payload in zip(envelopes, payloads):
                if envelope.message_id not in new:
                    outcomes.append(Outcome(duplicate=True))
                    continue
                new.discard(envelope.message_id)  # a repeat later in the batch is a duplicate
                if subscription.batch_handler is None:
                    subscription.handler(uow, payload, envelope)
                else:
                    fresh.append((payload, envelope))
                outcomes.append(Outcome())
            if fresh:
                subscription.batch_handler(uow, fresh)
            uow.commit()
        return outcomes

    def _handle(self, subscription: Subscription, envelope: Envelope, payload) -> Outcome:
        with self._unit_of_work(reads_only=subscription.reads_only, answering=envelope if subscription.answers else None) as uow:
            if not subscription.answers and uow.already_processed(self.consumer, envelope.message_id):
                return Outcome(duplicate=True)
            try:
                if subscription.batch_handler is None:
                    result = subscription.handler(uow, payload, envelope)
                else:
                    result = subscription.batch_handler(uow, [(payload, envelope)])
            except DomainError as refusal:
                uow.refused(refusal)
                raise
            if not subscription.answers:
                uow.mark_processed(self.consumer, envelope.message_id)
            uow.commit()
        return Outcome(reply={"result": result} if subscription.answers else None)

    def _refuse(self, subscription: Subscription, envelope: Envelope, reason: dict) -> Outcome:
        if subscription.answers:
            return Outcome(reply={"error": reason})
        return Outcome(rejection=reason, feedback=subscription.on_rejected(envelope, reason))


class InvalidMessage(InvalidRequest, code="invalid_message"):
    """A message its subscription's schema does not load: it is dead-lettered, never retried."""


class UndecodableMessage(Exception):
    pass


@dataclass(frozen=True)
class Origin:
    """Where a message came from and who sent it, as the broker said when it first arrived."""

    exchange: str
    routing_key: str
    user_id: str | None
    returned: bool = False  # back from waiting out a retry's delay: its ``x-death`` is the broker's count of its retries


def origin_of(message, own_user: str | None = None) -> Origin:
    """As delivered; or, for a message back from waiting out a retry's delay, as this process noted when it sent it there
    (the broker's ``user_id`` says this process sent it, and it arrives by the default exchange, as only a return does)."""
    info, headers, properties = message.delivery_info, message.headers or {}, message.properties
    if info.get("exchange") == "" and own_user and properties.get("user_id") == own_user and FROM_EXCHANGE in headers:
        return Origin(headers[FROM_EXCHANGE], headers.get(FROM_ROUTING_KEY, ""), headers.get(FROM_USER), returned=True)
    return Origin(info.get("exchange", ""), info.get("routing_key", ""), properties.get("user_id"))


def envelope_of(message, origin: Origin | None = None) -> Envelope:
    """Translates a kombu message into an envelope; raises ``UndecodableMessage`` for what cannot be read."""
    origin = origin or origin_of(message)
    properties = message.properties
    message_id = properties.get("message_id")
    if not message_id:
        raise UndecodableMessage("the message has no message_id property")
    try:
        body = json.loads(message.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UndecodableMessage(f"the body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise UndecodableMessage("the body is not a JSON object")
    return Envelope(
        exchange=origin.exchange,
        routing_key=origin.routing_key,
        body=body,
        message_id=message_id,
        type=properties.get("type") or "",
        # Only the broker's count of this message's retries: a sender's own ``x-death`` would change how often it is retried.
        headers={name: value for name, value in (message.headers or {}).items() if name != "x-death" or origin.returned},
        user_id=origin.user_id,
        reply_to=properties.get("reply_to"),
        correlation_id=properties.get("correlation_id"),
        redelivered=bool(message.delivery_info.get("redelivered")),
    )


def unreadable_envelope(message, origin: Origin) -> Envelope:
    """What can be said of a message whose body cannot be read: where it came from and its id, so its sender can be told."""
    return Envelope(exchange=origin.exchange, routing_key=origin.routing_key, body={},
                    message_id=message.properties.get("message_id") or "", user_id=origin.user_id)


class Worker(ConsumerMixin):
    """Feeds a service's subscriptions from the broker; acks only after the outcome is safe."""

    def __init__(self, connection: Connection, processor: MessageProcessor, subscriptions: list[Subscription], prefetch: int = 50):
        self.connection = connection
        self._processor = processor
        self._subscriptions = subscriptions
        self._prefetch = max(prefetch, *(sub.batch for sub in subscriptions)) if subscriptions else prefetch
        self._channel = None  # feedback and dead letters, each confirmed before its message is acked
        self._answering = None  # answers to requests
        self._waiting: list[tuple[Subscription, Envelope, object]] = []

    def get_consumers(self, Consumer, channel):
        # Made before consuming starts: messages may arrive while the later consumers are declared.
        self._channel = channel
        # Answers to requests go unconfirmed: the caller waits for the answer itself, and one lost with
        # the broker is the same to it as one never sent (it times out), so a confirm only adds a round trip.
        self._answering = without_waiting_for_confirms(channel.connection.client.channel())
        by_queue: dict[str, list[Subscription]] = {}
        for sub in self._subscriptions:
            by_queue.setdefault(sub.queue.name, []).append(sub)
        return [
            # On RabbitMQ, queues are declared by whoever may configure them (``migrate``), never by a consumer.
            Consumer(queues=[subs[0].queue], on_message=partial(self._on_message, subs), prefetch_count=self._prefetch,
                     auto_declare=not self._on_rabbitmq)
            for subs in by_queue.values()
        ]

    def stop(self) -> None:
        self.should_stop = True

    def on_consume_ready(self, connection, channel, consumers, **kwargs) -> None:
        # The mixin consumes on a clone of ``self.connection``; more of a batch arrives on that clone.
        self._consuming = connection

    def on_iteration(self) -> None:
        """Before waiting for the next message: take what has already arrived, up to a batch, then handle the batch."""
        if not self._waiting:
            return
        deadline = time.monotonic() + BATCH_GATHERING_SECONDS
        try:
            while self._waiting and len(self._waiting) < self._waiting[0][0].batch and (remaining := deadline - time.monotonic()) > 0:
                self._consuming.drain_events(timeout=remaining)
        except socket.timeout:
            pass
        self._handle_waiting()

    def _on_message(self, subscriptions: list[Subscription], message) -> None:
        origin = origin_of(message, self.connection.userid)
        subscription = route(subscriptions, origin.routing_key)
        if subscription is None:
            reason = {"code": "unroutable", "message": f"nothing here handles {origin.routing_key!r}"}
            self._dead_letter(subscriptions[0], message, reason, origin)
            message.ack()
            return
        try:
            envelope = envelope_of(message, origin)
        except UndecodableMessage as exc:
            reason = {"code": "undecodable", "message": str(exc)}
            self._dead_letter(subscription, message, reason, origin)
            self._publish(*subscription.on_rejected(unreadable_envelope(message, origin), reason))
            message.ack()
            return
        if subscription.batch > 1:
            self._waiting.append((subscription, envelope, message))
            if len(self._waiting) >= subscription.batch:
                self._handle_waiting()
            return
        self._settle(subscription, envelope, message, self._processor.process(subscription, envelope))

    def _handle_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        if not waiting:  # a batch that filled up while more was being gathered is handled already
            return
        for subscription, batch in itertools.groupby(waiting, key=lambda item: item[0]):
            batch = list(batch)
            outcomes = self._processor.process_batch(subscription, [envelope for _, envelope, _ in batch])
            for (_, envelope, message), outcome in zip(batch, outcomes):
                self._settle(subscription, envelope, message, outcome, ack=not self._acks_many)
        if self._acks_many:
            # Every delivery on this channel up to the batch's last is settled by now: one ack says so for all.
            waiting[-1][2].ack(multiple=True)

    @property
    def _acks_many(self) -> bool:
        # kombu's in-memory transport (the demo's) takes an ack of many as an ack of one.
        return self._on_rabbitmq

    @property
    def _on_rabbitmq(self) -> bool:
        return self.connection.transport.driver_type == "amqp"

    def _settle(self, subscription: Subscription, envelope: Envelope, message, outcome: Outcome, ack: bool = True) -> None:
        if outcome.reply is not None and envelope.reply_to:
            publish_on(self._answering, Envelope(exchange="", routing_key=envelope.reply_to, body=outcome.reply,
                                                correlation_id=envelope.correlation_id, persistent=False))
        if outcome.rejection is not None:
            self._dead_letter(subscription, message, outcome.rejection, envelope)
            self._publish(*outcome.feedback)
        if outcome.retry_after is not None:
            self._delay(subscription, message, outcome.retry_after, envelope)
        if ack:
            message.ack()

    def _publish(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            publish_on(self._channel, envelope)

    def _dead_letter(self, subscription: Subscription, message, reason: dict, origin: Origin | Envelope) -> None:
        log.warning("dead-lettering a message from %s: %s", subscription.queue.name, reason.get("message"))
        self._send_on(DEAD.name, subscription.queue.name, message, origin, {REASON: encode_body(reason).decode()})

    def _delay(self, subscription: Subscription, message, seconds: float, origin: Envelope) -> None:
        """Sends the message to wait out its retry's delay; the broker returns it to the work queue, counting in ``x-death``."""
        delayed = delay_queue(subscription.queue)
        properties = {"expiration": str(int(seconds * 1000))}
        if self._on_rabbitmq:
            self._send_on(DELAY.name, subscription.queue.name, message, origin, {}, properties)
        else:  # the in-memory broker neither expires nor dead-letters: the retry comes back at once, counted as RabbitMQ would
            counted = [{"queue": delayed.name, "reason": "expired", "count": retries_of(origin) + 1}]
            self._send_on("", subscription.queue.name, message, origin, {"x-death": counted})

    def _send_on(self, exchange: str, routing_key: str, message, origin: Origin | Envelope, headers: dict, properties: dict | None = None):
        """The message as it came, with where it first came from and who sent it (the broker's word, so that a replay or a
        retry is taken as the first was); ``x-death`` only as the broker counted the message's own retries (the envelope's)."""
        kept = {name: value for name, value in (message.headers or {}).items() if name != "x-death"}
        if deaths := getattr(origin, "headers", {}).get("x-death"):
            kept["x-death"] = deaths
        sent = self._channel.prepare_message(
            message.body,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            headers={**kept, FROM_EXCHANGE: origin.exchange, FROM_ROUTING_KEY: origin.routing_key,
                     **({FROM_USER: origin.user_id} if origin.user_id else {}), **headers},
            # Sent as this process (the broker checks it), which is how a retry is known when it comes back.
            properties={"delivery_mode": 2, "message_id": message.properties.get("message_id"), "user_id": self.connection.userid,
                        **(properties or {})},
        )
        self._channel.basic_publish(sent, exchange=exchange, routing_key=routing_key, mandatory=exchange in MANDATORY)
