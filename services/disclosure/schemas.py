"""What the disclosure service accepts."""
from marshmallow import Schema, fields, validate

from shared.contracts.disclosure import GROUNDS

STATUSES = ("pending", "approved", "refused", "read", "expired")


class RequestDisclosureSchema(Schema):
    contactpoint_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


# A request's id as a caller names it: one longer than any made is no request, answered 404 as every unknown id is.
REQUEST_ID = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class DecisionSchema(Schema):
    request_id = REQUEST_ID
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReadDisclosureSchema(Schema):
    request_id = REQUEST_ID


class ListDisclosuresSchema(Schema):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))


class ForgetConsumedSchema(Schema):
    """Says nothing but who asks, as its proof shows."""
