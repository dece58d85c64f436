"""Finding a child and reading their record."""
from marshmallow import Schema, fields


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
    results = fields.List(fields.Nested(ChildSummarySchema), metadata={"description": "best first, at most 20"})
    notice = fields.String(metadata={"description": "present when more children match than are shown: refine the search"})


class ChildRecordSchema(Schema):
    contactpoint_id = fields.String()
    demographics = fields.Dict()
    carers = fields.List(fields.Dict())
    involvements = fields.List(fields.Dict())
    retain_to_25 = fields.Boolean()
    shielded = fields.Boolean()
    notice = fields.String()
