"""What the directory accepts and answers."""
from marshmallow import Schema, fields, validate

from shared.contracts.directory import CriteriaSchema, LaTeamContactSchema


class SearchSchema(Schema):
    purpose = fields.String(load_default=None, allow_none=True)
    criteria = fields.Nested(CriteriaSchema, required=True)


class ReadSchema(Schema):
    purpose = fields.String(load_default=None, allow_none=True)
    contactpoint_id = fields.String(required=True)


class ScheduledSchema(Schema):
    """A scheduled request (of the worker, or an operator): the day to reckon ages on, today by default."""

    today = fields.Date(load_default=None, allow_none=True)


class LaTeamSchema(LaTeamContactSchema):
    """How to reach an LA's ContactPoint team; an LA team's own LA is its token's, an operator names it."""

    la_code = fields.String(load_default=None, allow_none=True,
                            validate=validate.Regexp(r"^[A-Z][0-9]{8}$", error="an ONS local authority code such as E08000035"))
