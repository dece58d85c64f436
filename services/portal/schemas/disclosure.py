"""Single-record disclosure: requests, decisions, and the record an approved request discloses."""
from marshmallow import Schema, fields, validate

from shared.contracts.disclosure import GROUNDS


class DisclosureRequestBodySchema(Schema):
    contactpoint_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS), metadata={"description": "court_order or crime_prevention"})
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"description": "the order's or case's reference"})


class DecisionBodySchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class DisclosureQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("pending", "approved", "refused", "read", "expired")))


class RequestedChildSchema(Schema):
    contactpoint_id = fields.String()
    family_name = fields.String()
    given_names = fields.List(fields.String())
    date_of_birth = fields.String()
    gender = fields.String()


class DisclosureRequestSchema(Schema):
    request_id = fields.String()
    contactpoint_id = fields.String()
    ground = fields.String()
    reference = fields.String()
    requested_by = fields.String()
    requested_at = fields.String()
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    readable_until = fields.String(allow_none=True)
    read_at = fields.String(allow_none=True)
    child = fields.Nested(RequestedChildSchema, allow_none=True,
                          metadata={"description": "who the request is about, in an approver's listing; null otherwise"})


class DisclosureListSchema(Schema):
    requests = fields.List(fields.Nested(DisclosureRequestSchema))


class DisclosedRecordSchema(Schema):
    request = fields.Nested(DisclosureRequestSchema)
    record = fields.Dict()
