"""What the disclosure service accepts."""
from marshmallow import Schema, fields, validate

from shared.contracts.disclosure import GROUNDS

STATUSES = ("pending", "approved", "refused", "read", "expired")


class RequestDisclosureSchema(Schema):
    contactpoint_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


class DecisionSchema(Schema):
    request_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReadDisclosureSchema(Schema):
    request_id = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ListDisclosuresSchema(Schema):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))


class ForgetConsumedSchema(Schema):
    """Says nothing but who asks, as its proof shows."""
