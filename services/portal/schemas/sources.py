"""The partner systems that send an LA's records, for its ContactPoint team (each request's contract: ``shared/contracts/feeds.py``)."""
from marshmallow import Schema, fields

from shared.contracts.feeds import SourceSchema


class SourcesSchema(Schema):
    sources = fields.List(fields.Nested(SourceSchema))
