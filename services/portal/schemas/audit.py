"""The audit trail."""
from marshmallow import Schema, fields

from shared.contracts import audit


class AuditEventsSchema(Schema):
    events = fields.List(fields.Dict())
    next_after_seq = fields.Integer(allow_none=True, metadata={"description": "oldest first: pass back as after_seq for the next page"})
    next_before_seq = fields.Integer(allow_none=True, metadata={"description": "newest first: pass back as before_seq for the next page"})


class AlertSchema(audit.AlertSchema):
    """An alert as the audit service answers it: as it was published on ``cp.alerts``, with its investigation. Its times
    are answered as the ISO text they crossed the broker as."""

    raised_at = fields.String()
    last_seen_at = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "open or investigated"})
    investigated_by = fields.String(allow_none=True)
    investigated_at = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class AlertsSchema(Schema):
    alerts = fields.List(fields.Nested(AlertSchema))
    next_after_id = fields.Integer(allow_none=True)
    next_before_id = fields.Integer(allow_none=True)


class InvestigationSchema(Schema):
    note = fields.String(required=True)


class TrailQuerySchema(Schema):
    actor = fields.String()
    contactpoint_id = fields.String()
    after_seq = fields.Integer(load_default=None)


class TrailSchema(Schema):
    actor = fields.String()
    contactpoint_id = fields.String()
    events = fields.List(fields.Dict())
    next_after_seq = fields.Integer(allow_none=True)
