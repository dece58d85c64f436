"""The audit event every service publishes on ``cp.audit`` as ``<la_code>.<service>.<action>``.

An event names who did what, for which purpose, to which children, and how it ended. Its
``message_id`` is its event id, so it is stored once however often it arrives.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.messaging.envelope import Envelope, new_message_id, utcnow
from shared.messaging.topology import AUDIT

NATIONAL = "national"  # the LA code of events that belong to no one local authority
OUTCOMES = ("success", "refused", "failure")


class ActorSchema(Schema):
    username = fields.String(required=True)
    la_code = fields.String(required=True)
    role = fields.String(required=True)
    category = fields.String(load_default=None, allow_none=True)


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


def audit_event(
    service: str,
    action: str,
    *,
    actor: dict | None = None,
    la_code: str | None = None,
    outcome: str = "success",
    **facts,
) -> Envelope:
    """``facts`` are the optional fields of ``AuditEventSchema``: subject, purpose, criteria, contactpoint_ids, detail."""
    event_id = new_message_id()
    if "criteria" in facts:
        facts["criteria"] = _printable(facts["criteria"])
    la = la_code or (actor or {}).get("la_code") or NATIONAL
    body = AuditEventSchema().dump({
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


def _printable(criteria: dict) -> dict:
    """The criteria that were given, in their JSON form."""
    return {name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in criteria.items() if value not in (None, "")}
