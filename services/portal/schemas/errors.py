"""The one shape of every refusal the API answers, as ``services.portal.errors`` makes it."""
from marshmallow import Schema, fields


class RefusalSchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable, for programs: invalid_request, not_authenticated, forbidden, ..."})
    message = fields.String(required=True, metadata={"description": "for people: what was refused and why"})
    field = fields.String(metadata={"description": "the request's field (a query parameter or body member) the refusal is about"})


class ErrorSchema(Schema):
    error = fields.Nested(RefusalSchema, required=True)
