"""Dead letters, for an operator: what a work queue's dead-letter queue holds and why, and sending it again where it first went.

A consumer dead-letters a message it will never handle to ``cp.dead`` with its reason (``x-reason``) and
where it came from (``x-original-exchange``, ``x-original-routing-key``, ``x-original-user-id``); one it
retried first carries ``x-death`` too, the broker's count of the times it waited out a retry's delay. Reading takes each
message unacknowledged and closes the channel, which gives every one back in its place: listing loses nothing.

A replay is sent as its first sender sent it, so that its consumer checks it as it checked the original:
from the connection of the process that first sent it (its ``user_id`` is then the broker's word again). A
message a partner system or a security team sent is kept: only they can send it again as themselves.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from kombu import Connection, Queue

from shared.errors import InvalidRequest
from shared.messaging.topology import QUEUES, dead_letter_queue

REASON, FROM_EXCHANGE, FROM_ROUTING_KEY, FROM_USER = "x-reason", "x-original-exchange", "x-original-routing-key", "x-original-user-id"
# What the broker adds when it dead-letters (RabbitMQ's own headers): left off a replay, which starts afresh.
BROKER_DEATH_HEADERS = ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
                        "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason")
DEAD_LETTER_HEADERS = (REASON, FROM_EXCHANGE, FROM_ROUTING_KEY, FROM_USER, *BROKER_DEATH_HEADERS)


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    exchange: str
    routing_key: str
    sent_by: str | None
    reason: dict | None  # the consumer's, as it answered or told the sender
    deaths: list[dict] = field(default_factory=list)  # the broker's: each queue it fell from, why and how often

    def as_dict(self) -> dict:
        return {"message_id": self.message_id, "exchange": self.exchange, "routing_key": self.routing_key, "sent_by": self.sent_by,
                "reason": self.reason, "deaths": self.deaths}


@dataclass(frozen=True)
class Replayed:
    replayed: list[str | None]
    kept: list[dict]  # {"message_id", "why"}: what could not be sent again, still in the queue

    def as_dict(self) -> dict:
        return {"replayed": self.replayed, "kept": self.kept}


def dead_letter_queue_named(name: str) -> str:
    """The dead-letter queue of a work queue, named by the work queue or by itself; refuses any other name."""
    work = QUEUES.get(name.removesuffix(".dead"))
    if work is None:
        raise InvalidRequest(f"{name!r} is no work queue of ContactPoint: one of {', '.join(sorted(QUEUES))}")
    return dead_letter_queue(work).name


def owner_of(queue: str) -> str:
    """The service whose queue it is: queues are named ``<service>.<what it receives>``."""
    return queue.split(".", 1)[0]


def listed(connection: Connection, queue: str) -> list[DeadLetter]:
    with connection.channel() as channel:
        return [_dead_letter(message) for message in _every_message(channel, queue)]


def replay(connection: Connection, queue: str, sender: Callable[[str | None], Connection | None]) -> Replayed:
    """Sends each message of the dead-letter queue again to where it first went, on ``sender(its first sender)``'s
    connection, and takes it out of the queue once the broker holds it again; ``sender`` gives None where none may."""
    replayed, kept = [], []
    with connection.channel() as channel:
        for message in _every_message(channel, queue):
            letter = _dead_letter(message)
            resending = sender(letter.sent_by)
            if resending is None:
                kept.append({"message_id": letter.message_id, "why": f"sent by {letter.sent_by or 'an unnamed sender'}, "
                                                                     "who alone can send it again"})
                continue
            _send_again(resending, letter, message)
            message.ack()
            replayed.append(letter.message_id)
    return Replayed(replayed, kept)


def _every_message(channel, queue: str):
    """Each message the queue holds now, unacknowledged: what is not acked goes back when the channel closes."""
    bound = Queue(queue, no_declare=True)(channel)
    _, holding, _ = bound.queue_declare(passive=True)
    for _ in range(holding):
        message = bound.get(no_ack=False)
        if message is None:
            return
        yield message


def _dead_letter(message) -> DeadLetter:
    headers = message.headers or {}
    deaths = headers.get("x-death") or []
    first = deaths[-1] if deaths else {}  # RabbitMQ puts the most recent death first
    reason = headers.get(REASON)
    return DeadLetter(
        message_id=message.properties.get("message_id"),
        exchange=headers.get(FROM_EXCHANGE, first.get("exchange", "")),
        routing_key=headers.get(FROM_ROUTING_KEY, (first.get("routing-keys") or [""])[0]),
        # A consumer's dead letter is sent as that consumer: who first sent it is in the header it noted (none: unnamed).
        sent_by=headers.get(FROM_USER) if FROM_EXCHANGE in headers else message.properties.get("user_id"),
        reason=json.loads(reason) if reason else None,
        deaths=[{"queue": d.get("queue"), "reason": d.get("reason"), "count": d.get("count")} for d in deaths],
    )


def _send_again(connection: Connection, letter: DeadLetter, message) -> None:
    with connection.channel() as channel:
        properties = {name: message.properties[name] for name in ("message_id", "type", "correlation_id") if message.properties.get(name)}
        if letter.sent_by:
            properties["user_id"] = letter.sent_by
        again = channel.prepare_message(
            message.body, content_type=message.content_type, content_encoding=message.content_encoding,
            headers={name: value for name, value in (message.headers or {}).items() if name not in DEAD_LETTER_HEADERS},
            properties={"delivery_mode": 2, **properties},
        )
        channel.basic_publish(again, exchange=letter.exchange, routing_key=letter.routing_key)
