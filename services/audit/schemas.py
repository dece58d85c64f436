"""What the audit service accepts."""
from marshmallow import Schema, fields, validate

from shared.contracts.audit import ActorSchema
from shared.contracts.requests import RequesterSchema


class ListEventsSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    filters = fields.Nested(lambda: EventFiltersSchema(), load_default=dict)


class EventFiltersSchema(Schema):
    actor = fields.String(load_default=None)
    contactpoint_id = fields.String(load_default=None)
    la = fields.String(load_default=None)
    action = fields.String(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    after_seq = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ActorOnlySchema(Schema):
    """A request that names only who asks."""

    actor = fields.Nested(ActorSchema, required=True)


class ListAlertsSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    filters = fields.Nested(lambda: AlertFiltersSchema(), load_default=dict)


class AlertFiltersSchema(Schema):
    rule = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "investigated")))
    la_code = fields.String(load_default=None)
    after_id = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class InvestigateAlertSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    alert_id = fields.Integer(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))
