"""The audit event every service publishes on ``cp.audit`` as ``<la_code>.<service>.<action>``.

An event names who did what, for which purpose, to which children, and how it ended. Its
``message_id`` is its event id, so it is stored once however often it arrives. Each producer
(one service in one process) numbers its events from 1 (``producer``, ``producer_seq``), so
an event lost on the way shows in the audit store as a gap in its producer's numbers.

An event is numbered when it is handed on (``numbered``), not when it is made: an event made
in a unit of work that then rolls back was never sent, and must leave no gap behind it.

An event published in answer to a request (a search, a read) takes its event id from the request's
(``in_answer_to``): a request the broker delivers again, after its consumer died or its ack was
lost, is handled again and makes the same event, which the store keeps once. Its number is then
one the store may not hold, and the producer says so as it does for an unconfirmed one. Its
``message_id`` stays its own, and it names the request and whether the broker had delivered it
before: a request that is not delivered again but reuses an answered one's id (only its sender
chooses it) is a look of its own, which the store keeps under an id of its own, and alerts on.
"""
from __future__ import annotations

import itertools
import os
import socket
import threading
import uuid
from collections.abc import Iterable
from dataclasses import replace

from marshmallow import Schema, fields, validate

from shared.messaging.envelope import Envelope, new_message_id, utcnow
from shared.messaging.topology import ALERTS, AUDIT

NATIONAL = "national"  # the LA code of events that belong to no one local authority
OUTCOMES = ("success", "refused", "failure")
# The order a listing of events or alerts comes in: a security team reads the newest first, and pages back with ``before_``.
OLDEST_FIRST, NEWEST_FIRST = "oldest", "newest"
ORDERS = (OLDEST_FIRST, NEWEST_FIRST)
ALERT_STATUSES = ("open", "investigated")


class ActorSchema(Schema):
    username = fields.String(required=True)
    la_code = fields.String(required=True)
    role = fields.String(required=True)
    category = fields.String(load_default=None, allow_none=True)


class AnsweredRequestSchema(Schema):
    """The request an event answers: its id, and whether the broker had delivered it before (only the broker says so)."""

    id = fields.String(required=True)
    delivered_before = fields.Boolean(required=True)


class AuditEventSchema(Schema):
    event_id = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    service = fields.String(required=True, validate=validate.Length(min=1, max=30))
    action = fields.String(required=True, validate=validate.Length(min=1, max=60))
    la_code = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    actor = fields.Nested(ActorSchema, load_default=None, allow_none=True)
    subject = fields.String(load_default=None, allow_none=True)
    purpose = fields.String(load_default=None, allow_none=True)
    criteria = fields.Dict(load_default=dict)
    contactpoint_ids = fields.List(fields.String(), load_default=list)
    detail = fields.Dict(load_default=dict)
    producer = fields.String(load_default=None, allow_none=True)
    producer_seq = fields.Integer(load_default=None, allow_none=True)
    # The producer's earlier numbers whose events the broker never confirmed, or that repeat an event answering a request
    # delivered again (stored once, by its id): each may be stored or not, and is no gap.
    unconfirmed = fields.List(fields.Integer())
    request = fields.Nested(AnsweredRequestSchema, load_default=None, allow_none=True)


_EVENT = AuditEventSchema()  # made once: dumping is all it does, and making one costs more than a dump


def audit_event(
    service: str,
    action: str,
    *,
    actor: dict | None = None,
    la_code: str | None = None,
    outcome: str = "success",
    **facts,
) -> Envelope:
    """``facts`` are the optional fields of ``AuditEventSchema``: subject, purpose, criteria, contactpoint_ids, detail.

    The event is not numbered yet: whatever hands it on numbers it (``numbered``)."""
    event_id = new_message_id()
    if "criteria" in facts:
        facts["criteria"] = _printable(facts["criteria"])
    la = la_code or (actor or {}).get("la_code") or NATIONAL
    body = _EVENT.dump({
        "event_id": event_id, "occurred_at": utcnow(), "service": service, "action": action,
        "la_code": la, "outcome": outcome, "actor": actor, **facts,
    })
    return Envelope(
        exchange=AUDIT.name,
        routing_key=f"{la}.{service}.{action}",
        type=f"{service}.{action}",
        body=body,
        message_id=event_id,
    )


# Ids of events answering a request: the request's id and the event's place among those it made give them.
_ANSWERING = uuid.UUID("0b7c2a1e-5f0d-4c8e-9a53-3e6f1d2c4b70")


def in_answer_to(request: Envelope, events: Iterable[Envelope], first: int = 0) -> list[Envelope]:
    """Audit events made answering ``request``, the ``first``-th onwards of those it made, with the event ids it gives them.

    Each keeps its own ``message_id``, so that the audit service's consumer hands every one to the store, which alone tells
    a request delivered again from one that reused an answered request's id."""
    answered = {"id": request.message_id, "delivered_before": request.redelivered}
    return [replace(e, body={**e.body, "event_id": uuid.uuid5(_ANSWERING, f"{request.message_id}/{n}").hex, "request": answered})
            if e.exchange == AUDIT.name else e for n, e in enumerate(events, first)]


def numbered(envelope: Envelope) -> Envelope:
    """An audit event with its producer's next number, as it is handed on; any other message as it is.

    It also names the producer's numbers that were handed on and never confirmed (``unconfirmed``),
    until an event naming them is confirmed: the store then says which numbers no one can vouch
    for, so that a broker that went away mid-publish is not taken for an event removed from the store.
    """
    if envelope.exchange != AUDIT.name:
        return envelope
    producer, producer_seq, unconfirmed = _NUMBERS.next(envelope.body["service"])
    return replace(envelope, body={**envelope.body, "producer": producer, "producer_seq": producer_seq,
                                   **({"unconfirmed": unconfirmed} if unconfirmed else {})})


def settled(envelopes, confirmed: bool) -> None:
    """Tells the numbering how the broker took numbered events: confirmed, or perhaps never."""
    for envelope in envelopes:
        if envelope.exchange == AUDIT.name:
            _NUMBERS.settled(envelope.body["service"], envelope.body["producer_seq"], envelope.body.get("unconfirmed", ()), confirmed)


def paged_by(key: str) -> type[Schema]:
    """Which page of a listing whose rows ``key`` numbers: oldest first from after ``after_<key>``, or newest first
    (``order=newest``) back from before ``before_<key>``; ``limit`` rows a page."""
    return Schema.from_dict({
        f"after_{key}": fields.Integer(load_default=None),
        f"before_{key}": fields.Integer(load_default=None),
        "order": fields.String(load_default=OLDEST_FIRST, validate=validate.OneOf(ORDERS),
                               metadata={"description": "oldest (by default) or newest first"}),
        "limit": fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000)),
    }, name=f"PagedBy{key.title()}")


class EventFiltersSchema(paged_by("seq")):
    """Which audit events an auditor asks for (``GET /api/v1/audit/events``), as the portal passes them to the audit service."""

    actor = fields.String(load_default=None)
    contactpoint_id = fields.String(load_default=None)
    la = fields.String(load_default=None)
    action = fields.String(load_default=None)
    since = fields.AwareDateTime(load_default=None, metadata={"description": "events at this time or later"})
    until = fields.AwareDateTime(load_default=None, metadata={"description": "events before this time, not at it"})


class AlertFiltersSchema(paged_by("id")):
    """Which alerts an auditor asks for (``GET /api/v1/audit/alerts``), as the portal passes them to the audit service."""

    rule = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(ALERT_STATUSES))
    la = fields.String(load_default=None)


class AlertSchema(Schema):
    """What the audit service publishes on ``cp.alerts`` as ``<la_code>.<rule>`` when a misuse rule fires, and again, with the
    same ``alert_id`` and a higher ``count``, when repeats of it are grouped into it."""

    alert_id = fields.Integer(required=True)
    rule = fields.String(required=True)
    la_code = fields.String(required=True)
    raised_at = fields.AwareDateTime(required=True)
    actor = fields.String(allow_none=True)
    contactpoint_id = fields.String(allow_none=True)
    event_id = fields.String(required=True)
    seq = fields.Integer(required=True)
    detail = fields.Dict()
    count = fields.Integer(load_default=1, metadata={"description": "how many times the rule fired for the same person (and child) within the hour"})
    last_seen_at = fields.AwareDateTime(allow_none=True)


def alert_raised(alert: dict) -> Envelope:
    return _alert_message(alert, "audit.alert_raised")


def alert_repeated(alert: dict) -> Envelope:
    """The alert again, its ``count`` risen: a message of its own (by id and count) that a team's copy of the alert is updated by."""
    return _alert_message(alert, "audit.alert_repeated")


def _alert_message(alert: dict, kind: str) -> Envelope:
    body = AlertSchema().dump(alert)
    count = body.get("count") or 1
    return Envelope(
        exchange=ALERTS.name,
        routing_key=f"{body['la_code']}.{body['rule']}",
        type=kind,
        body=body,
        message_id=f"alert-{body['alert_id']}" if kind == "audit.alert_raised" else f"alert-{body['alert_id']}-{count}",
    )


class ProducerNumbers:
    """This process's numbering of each service's events; a forked child starts a numbering of its own."""

    def __init__(self):
        self._restart()
        os.register_at_fork(after_in_child=self._restart)

    def _restart(self) -> None:
        self._lock = threading.Lock()
        self._process = f"{socket.gethostname()}/{os.getpid()}/{new_message_id()[:8]}"
        self._counters: dict[str, itertools.count] = {}
        self._unconfirmed: dict[str, set[int]] = {}

    def next(self, service: str) -> tuple[str, int, list[int]]:
        with self._lock:
            counter = self._counters.setdefault(service, itertools.count(1))
            return f"{service}@{self._process}", next(counter), sorted(self._unconfirmed.get(service, ()))

    def settled(self, service: str, number: int, named: Iterable[int], confirmed: bool) -> None:
        with self._lock:
            unconfirmed = self._unconfirmed.setdefault(service, set())
            if confirmed:
                unconfirmed.difference_update(named)
            else:
                unconfirmed.add(number)


_NUMBERS = ProducerNumbers()


def _printable(criteria: dict) -> dict:
    """The criteria that were given, in their JSON form."""
    return {name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in criteria.items() if value not in (None, "")}


# A security team's subscription: its id (also its broker user's name) and the routing keys its queue is bound with.
TEAM_ID = r"^[a-z0-9][a-z0-9_-]{1,62}$"
BINDING_KEY = r"^(\*|#|[A-Za-z0-9_-]+)(\.(\*|#|[A-Za-z0-9_-]+))*$"


class SubscribeTeamSchema(Schema):
    team_id = fields.String(required=True, validate=validate.Regexp(TEAM_ID, error="a team id is lower-case letters, digits, '-' and '_'"))
    bindings = fields.List(
        fields.String(validate=validate.Regexp(BINDING_KEY, error="a binding key is words, '*' and '#' joined by dots")),
        required=True, validate=validate.Length(min=1),
    )
