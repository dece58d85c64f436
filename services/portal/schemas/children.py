"""Finding a child and reading their record."""
from marshmallow import Schema, fields

from shared.contracts.directory import CriteriaSchema, IdentifiedChildSchema


class PurposeSchema(Schema):
    purpose = fields.String(load_default=None, metadata={"description": "safeguarding or wellbeing"})


class SearchQuerySchema(PurposeSchema, CriteriaSchema):
    """The criteria of ``directory.search``, and its purpose, as query parameters."""


class ChildSummarySchema(IdentifiedChildSchema):
    postcode_district = fields.String(allow_none=True)
    score = fields.Float()


class SearchResultsSchema(Schema):
    results = fields.List(fields.Nested(ChildSummarySchema), metadata={"description": "best first, at most 20"})
    notice = fields.String(metadata={"description": "present when more children match than are shown: refine the search"})


class LaTeamSchema(Schema):
    la_code = fields.String()
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class WithheldSchema(Schema):
    kind = fields.String(metadata={"description": "sensitive_involvement, address, carer_contact, organisation or practitioner"})
    count = fields.Integer()
    message = fields.String(metadata={
        "description": "what the reader is told, e.g. 1 involvement with a sensitive service is not shown to your role"})


class ChildRecordSchema(Schema):
    contactpoint_id = fields.String()
    demographics = fields.Dict()
    carers = fields.List(fields.Dict())
    involvements = fields.List(fields.Dict())
    retain_to_25 = fields.Boolean()
    shielded = fields.Boolean()
    notice = fields.String()
    withheld = fields.List(fields.Nested(WithheldSchema),
                           metadata={"description": "what this record does not show you, by kind and count; [] when nothing"})
    la_team = fields.Nested(LaTeamSchema, metadata={"description": "a shielded child's: the LA ContactPoint team that holds what is withheld"})
