"""``directory.disclose``: the disclosure service asks the directory for one child's record, carrying the approved grant.

The grant names the request, its ground and reference, who asked and who approved, so the
directory's own audit event says why the record left it.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.requests import RequesterSchema

GROUNDS = ("court_order", "crime_prevention")


class GrantSchema(Schema):
    request_id = fields.String(required=True)
    contactpoint_id = fields.String(required=True)
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS))
    reference = fields.String(required=True)
    requested_by = fields.String(required=True)
    approved_by = fields.String(required=True)


class DiscloseChildSchema(Schema):
    actor = fields.Nested(RequesterSchema, required=True)
    grant = fields.Nested(GrantSchema, required=True)
