"""The message envelope: what a handler sees of a message, and what it hands back to send.

Business code deals only in envelopes; the transport turns them into AMQP messages and back.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone


def new_message_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Envelope:
    exchange: str
    routing_key: str
    # Read back from an outbox, the body is the JSON it was stored as (bytes), sent as it is.
    body: dict | bytes
    message_id: str = field(default_factory=new_message_id)
    type: str = ""
    headers: dict = field(default_factory=dict)
    user_id: str | None = None
    reply_to: str | None = None
    correlation_id: str | None = None
    persistent: bool = True  # False for requests and replies, which are worth nothing once their caller gives up
    # Delivered before to a consumer that did not ack it (it died, or its ack went with the broker): it may have been handled.
    redelivered: bool = False

    def encode(self) -> bytes:
        return encode_body(self.body)


def encode_body(body: dict | bytes) -> bytes:
    if isinstance(body, bytes):
        return body
    return _ENCODER.encode(body).encode()


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# Made once, as ``shared.db.json_text`` is: every message's body is encoded by it.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_json_default)
