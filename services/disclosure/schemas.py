"""What the disclosure service accepts, beyond its contract (``shared/contracts/disclosure.py``): the request a decision or a
reading is about, which the portal takes from its path."""
from marshmallow import Schema, fields, validate

from shared.contracts.disclosure import DecisionReasonSchema

# A request's id as a caller names it: one longer than any made is no request, answered 404 as every unknown id is.
REQUEST_ID = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class DecisionSchema(DecisionReasonSchema):
    request_id = REQUEST_ID


class ReadDisclosureSchema(Schema):
    request_id = REQUEST_ID


class ForgetConsumedSchema(Schema):
    """Says nothing but who asks, as its proof shows."""
