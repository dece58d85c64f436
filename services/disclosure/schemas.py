"""What the disclosure service accepts."""
from marshmallow import Schema, fields, validate

from shared.contracts.disclosure import GROUNDS
from shared.contracts.requests import RequesterSchema

STATUSES = ("pending", "approved", "refused", "read", "expired")


class RequestDisclosureSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    contactpoint_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


class DecisionSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    request_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReadDisclosureSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    request_id = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ListDisclosuresSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))


class ForgetConsumedSchema(Schema):
    actor = fields.Dict(load_default=None, allow_none=True)
