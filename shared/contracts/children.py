"""``feeds.child.merged``: the feeds service's whole current view of one child, for the directory to hold.

Each event carries the full record and a version that rises with every change, so the
directory keeps the newest and ignores what arrives late or twice.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.feeds import AddressSchema, CarerSchema, InvolvementSchema, NAME
from shared.messaging.envelope import Envelope
from shared.messaging.topology import EVENTS

CHILD_MERGED = "feeds.child.merged"


class DemographicsSchema(Schema):
    family_name = NAME
    given_names = fields.List(fields.String(), required=True)
    former_family_names = fields.List(fields.String(), load_default=list)
    date_of_birth = fields.Date(required=True)
    gender = fields.String(required=True)
    address = fields.Nested(AddressSchema, required=True)
    # No field for the keys: a JSON object's keys are text already, and a field checking each would only cost a load more.
    identifiers = fields.Dict(values=fields.String(), load_default=dict)


class SourcedInvolvementSchema(InvolvementSchema):
    source_id = fields.String(required=True)
    # The local authority of the source that reported the involvement; none for a national source.
    la_code = fields.String(load_default=None, allow_none=True)


class ChildMergedSchema(Schema):
    contactpoint_id = fields.String(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    la_code = fields.String(required=True)
    active = fields.Boolean(required=True)
    shielded = fields.Boolean(load_default=False)
    retain_to_25 = fields.Boolean(load_default=False)
    demographics = fields.Nested(DemographicsSchema, required=True)
    carers = fields.List(fields.Nested(CarerSchema), load_default=list)
    involvements = fields.List(fields.Nested(SourcedInvolvementSchema), load_default=list)
    source_records = fields.List(fields.List(fields.String()), load_default=list)
    # Which source said each shown field and when: {"family_name": {"source_id", "source_record_id", "received_at"}, ...}.
    # Taken as it comes: its keys are text already and its values may be anything, so fields for them would check nothing.
    provenance = fields.Dict(load_default=dict)
    # Children a person is yet to tell apart from this one (an unsure match awaiting review).
    possible_duplicate_of = fields.List(fields.String(), load_default=list)
    # Set once a person has joined this child into another; the child then stands for nobody.
    merged_into = fields.String(load_default=None, allow_none=True)


def child_merged(snapshot: dict) -> Envelope:
    """``snapshot`` is already in its JSON form (as ``ChildMergedSchema`` loads it back)."""
    return Envelope(
        exchange=EVENTS.name,
        routing_key=CHILD_MERGED,
        type=CHILD_MERGED,
        body=snapshot,
        message_id=f"{snapshot['contactpoint_id']}:{snapshot['version']}",
    )
