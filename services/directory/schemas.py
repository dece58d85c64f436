"""What the directory accepts and answers."""
from marshmallow import Schema, fields

from shared.contracts.audit import ActorSchema
from shared.contracts.requests import RequesterSchema


class CriteriaSchema(Schema):
    family_name = fields.String(load_default=None)
    given_name = fields.String(load_default=None)
    date_of_birth = fields.Date(load_default=None)
    postcode = fields.String(load_default=None)
    identifier = fields.String(load_default=None)


class SearchSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    purpose = fields.String(load_default=None, allow_none=True)
    criteria = fields.Nested(CriteriaSchema, required=True)


class ReadSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    purpose = fields.String(load_default=None, allow_none=True)
    contactpoint_id = fields.String(required=True)


class ScheduledSchema(Schema):
    """A scheduled request: who asks (the scheduler, or an operator), and the day to reckon ages on (today by default)."""

    actor = fields.Nested(ActorSchema, load_default=None, allow_none=True)
    today = fields.Date(load_default=None, allow_none=True)
