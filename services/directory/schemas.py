"""What the directory accepts and answers."""
from marshmallow import Schema, fields



class CriteriaSchema(Schema):
    family_name = fields.String(load_default=None)
    given_name = fields.String(load_default=None)
    date_of_birth = fields.Date(load_default=None)
    postcode = fields.String(load_default=None)
    identifier = fields.String(load_default=None)


class SearchSchema(Schema):
    purpose = fields.String(load_default=None, allow_none=True)
    criteria = fields.Nested(CriteriaSchema, required=True)


class ReadSchema(Schema):
    purpose = fields.String(load_default=None, allow_none=True)
    contactpoint_id = fields.String(required=True)


class ScheduledSchema(Schema):
    """A scheduled request (of the worker, or an operator): the day to reckon ages on, today by default."""

    today = fields.Date(load_default=None, allow_none=True)
