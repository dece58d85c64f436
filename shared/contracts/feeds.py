"""The feed message a partner system publishes on ``cp.feeds`` as ``<source_id>.<kind>``, and the feedback it gets.

Unknown fields are refused: case information has no field here.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.validators import validate_nhs_number, validate_postcode
from shared.messaging.envelope import Envelope
from shared.messaging.topology import FEEDBACK

SCHEMA_NAME = "contactpoint.feed.v1"
GENDERS = ("female", "male", "other", "unknown")
SERVICE_KINDS = (
    "school", "health", "youth_offending", "social_care", "borders", "connexions",
    "sexual_health", "mental_health", "substance_misuse",
)
NAME = fields.String(required=True, validate=validate.Length(min=1, max=100))


class AddressSchema(Schema):
    lines = fields.List(fields.String(validate=validate.Length(max=200)), load_default=list)
    town = fields.String(load_default="", validate=validate.Length(max=100))
    postcode = fields.String(required=True, validate=validate_postcode)


class IdentifiersSchema(Schema):
    nhs_number = fields.String(validate=validate_nhs_number)
    upn = fields.String(validate=validate.Regexp(r"^[A-Z]\d{11}[0-9A-Z]$", error="not a Unique Pupil Number"))


class ChildSchema(Schema):
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    given_names = fields.List(fields.String(validate=validate.Length(min=1, max=100)), required=True, validate=validate.Length(min=1, max=5))
    former_family_names = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    date_of_birth = fields.Date(required=True)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    address = fields.Nested(AddressSchema, required=True)
    identifiers = fields.Nested(IdentifiersSchema, load_default=dict)


class CarerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    relationship = fields.String(required=True, validate=validate.Length(min=1, max=50))
    parental_responsibility = fields.Boolean(load_default=False)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class PractitionerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    email = fields.Email(load_default=None, allow_none=True)


class InvolvementSchema(Schema):
    service = fields.String(required=True, validate=validate.OneOf(SERVICE_KINDS))
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=200))
    practitioner = fields.Nested(PractitionerSchema, required=True)
    lead_professional = fields.Boolean(load_default=False)
    caf_completed = fields.Boolean(load_default=False)
    sensitive = fields.Boolean(load_default=False)
    started_on = fields.Date(load_default=None, allow_none=True)
    ended_on = fields.Date(load_default=None, allow_none=True)


class ConsentSchema(Schema):
    retain_to_25 = fields.Boolean(load_default=False)


class FeedMessageSchema(Schema):
    schema = fields.String(required=True, validate=validate.Equal(SCHEMA_NAME))
    source_record_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    sequence = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    action = fields.String(required=True, validate=validate.OneOf(("upsert", "remove")))
    child = fields.Nested(ChildSchema, load_default=None, allow_none=True)
    carers = fields.List(fields.Nested(CarerSchema), load_default=list)
    involvement = fields.Nested(InvolvementSchema, load_default=None, allow_none=True)
    consent = fields.Nested(ConsentSchema, load_default=dict)


def source_of(routing_key: str) -> str:
    return routing_key.split(".", 1)[0]


def kind_of(routing_key: str) -> str:
    return routing_key.split(".", 1)[1] if "." in routing_key else ""


def feedback(source_id: str, outcome: str, message_id: str, **detail) -> Envelope:
    """``accepted`` or ``rejected``, naming the partner's message; waits in ``cp.feedback.<source_id>``."""
    return Envelope(
        exchange=FEEDBACK.name,
        routing_key=f"{source_id}.{outcome}",
        type=f"feeds.message.{outcome}",
        body={"message_id": message_id, "outcome": outcome, **detail},
    )
