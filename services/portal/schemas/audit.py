"""The audit trail."""
from marshmallow import Schema, fields


class AuditEventsSchema(Schema):
    events = fields.List(fields.Dict())
    next_after_seq = fields.Integer(allow_none=True, metadata={"description": "oldest first: pass back as after_seq for the next page"})
    next_before_seq = fields.Integer(allow_none=True, metadata={"description": "newest first: pass back as before_seq for the next page"})


class AlertSchema(Schema):
    alert_id = fields.Integer()
    rule = fields.String()
    la_code = fields.String()
    raised_at = fields.String()
    actor = fields.String(allow_none=True)
    contactpoint_id = fields.String(allow_none=True)
    event_id = fields.String()
    seq = fields.Integer()
    detail = fields.Dict()
    status = fields.String()
    investigated_by = fields.String(allow_none=True)
    investigated_at = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    count = fields.Integer(metadata={"description": "how many times the rule fired for the same person (and child) within the hour"})
    last_seen_at = fields.String(allow_none=True)


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
