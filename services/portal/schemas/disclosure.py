"""Single-record disclosure: the list of requests (each request's contract: ``shared/contracts/disclosure.py``)."""
from marshmallow import Schema, fields

from shared.contracts.disclosure import DisclosureRequestSchema


class DisclosureListSchema(Schema):
    requests = fields.List(fields.Nested(DisclosureRequestSchema))
