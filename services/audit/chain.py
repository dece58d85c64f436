"""The hash chain: each event's hash covers its canonical form and the hash before it.

Changing, removing or reordering any stored event breaks every hash after it. The columns
stored beside an event (to find it by actor, LA, action) are derived from it alone, so a
verifier can tell when one of them was changed to hide an event from a search.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

GENESIS = "0" * 64
INDEXED_COLUMNS = ("event_id", "occurred_at", "service", "action", "la_code", "actor_username", "producer", "producer_seq")


# Made once: ``json.dumps`` given any option makes an encoder a call, and every stored event is hashed in this form.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(event: dict) -> bytes:
    return _CANONICAL.encode(event).encode()


def link(prev_hash: str, seq: int, event: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + str(seq).encode() + b"\n" + canonical(event)).hexdigest()


def indexed(event: dict) -> dict:
    """The columns kept beside an event to find it without reading every event, from the event as loaded (its time parsed)."""
    return {
        "event_id": event["event_id"],
        "occurred_at": as_utc(event["occurred_at"]),
        "service": event["service"],
        "action": event["action"],
        "la_code": event["la_code"],
        "actor_username": (event.get("actor") or {}).get("username"),
        "producer": event.get("producer"),
        "producer_seq": event.get("producer_seq"),
    }


def indexed_as_stored(event: dict) -> dict:
    """``indexed`` of an event as it is stored and hashed: its JSON form, its time ISO text."""
    return indexed({**event, "occurred_at": datetime.fromisoformat(event["occurred_at"])})


def as_utc(moment: datetime) -> datetime:
    """An event names its time in any zone, and PostgreSQL answers in the session's; the audit service hashes and stores UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
