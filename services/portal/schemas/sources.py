"""The partner systems that send an LA's records, for its ContactPoint team."""
from marshmallow import Schema, fields, validate

from shared.contracts.feeds import SERVICE_KINDS, SOURCE_ID


class NewSourceSchema(Schema):
    source_id = fields.String(required=True, validate=SOURCE_ID, metadata={"description": "also its broker username"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kinds = fields.List(fields.String(validate=validate.OneOf(SERVICE_KINDS)), required=True, validate=validate.Length(min=1),
                        metadata={"description": "the services it sends involvements of: " + ", ".join(SERVICE_KINDS)})


class SourceSchema(Schema):
    source_id = fields.String()
    name = fields.String()
    la_code = fields.String(allow_none=True)
    kinds = fields.List(fields.String())
    enabled = fields.Boolean()


class SourcesSchema(Schema):
    sources = fields.List(fields.Nested(SourceSchema))


class SourceCredentialsSchema(Schema):
    source_id = fields.String()
    amqp_password = fields.String(metadata={"description": "the source's broker password, shown this once"})


class DisabledSourceSchema(Schema):
    source_id = fields.String()
    enabled = fields.Boolean()
