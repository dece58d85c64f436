"""The audit trail."""
from marshmallow import Schema, fields


class AuditQuerySchema(Schema):
    actor = fields.String(load_default=None)
    contactpoint_id = fields.String(load_default=None)
    la = fields.String(load_default=None)
    action = fields.String(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    after_seq = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=100)


class AuditEventsSchema(Schema):
    events = fields.List(fields.Dict())
    next_after_seq = fields.Integer(allow_none=True)
