"""What the portal's API accepts and answers, as the OpenAPI document describes it."""
from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10))


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class PurposeSchema(Schema):
    purpose = fields.String(load_default=None, metadata={"description": "safeguarding or wellbeing"})


class SearchQuerySchema(PurposeSchema):
    family_name = fields.String(load_default=None)
    given_name = fields.String(load_default=None)
    date_of_birth = fields.Date(load_default=None)
    postcode = fields.String(load_default=None)
    identifier = fields.String(load_default=None, metadata={"description": "NHS number or UPN"})


class ChildSummarySchema(Schema):
    contactpoint_id = fields.String()
    family_name = fields.String()
    given_names = fields.List(fields.String())
    date_of_birth = fields.String()
    gender = fields.String()
    postcode_district = fields.String(allow_none=True)
    score = fields.Float()


class SearchResultsSchema(Schema):
    results = fields.List(fields.Nested(ChildSummarySchema))


class ChildRecordSchema(Schema):
    contactpoint_id = fields.String()
    demographics = fields.Dict()
    carers = fields.List(fields.Dict())
    involvements = fields.List(fields.Dict())
    retain_to_25 = fields.Boolean()
    shielded = fields.Boolean()
    notice = fields.String()


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
